import pytest

from bot.language import detect_language


@pytest.mark.parametrize("text,language", [
    ("I want to go back to my country, my employer did not pay me", "en"),
    ("Je veux rentrer dans mon pays, mon patron ne m'a pas payé", "fr"),
    ("أريد العودة إلى بلدي", "ar"),
    ("میں اپنے ملک واپس جانا چاہتا ہوں", "other"),  # Urdu: Arabic script, not Arabic
    ("আমি দেশে ফিরতে চাই", "other"),  # Bengali script
    ("Ich möchte in mein Land zurückkehren, bitte helfen Sie mir", "other"),
])
def test_language_is_detected(text, language):
    assert detect_language(text).language == language


@pytest.mark.parametrize("text", ["1", "👍", "   ", "?!"])
def test_nothing_to_decide_on_is_undetermined(text):
    assert detect_language(text).language == "und"


def test_detection_is_deterministic_and_short_text_is_less_confident():
    assert detect_language("bonjour merci") == detect_language("bonjour merci")
    assert detect_language("ok").confidence < detect_language("Je veux rentrer dans mon pays maintenant").confidence
