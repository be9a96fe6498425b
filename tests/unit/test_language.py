import pytest

from bot.language_choice import decide
from bot.language import detect_language, load_settings

SETTINGS = load_settings()


@pytest.mark.parametrize("text,language", [
    ("I want to go back to my country, my employer did not pay me", "en"),
    ("Je veux rentrer dans mon pays, mon patron ne m'a pas payé", "fr"),
    ("أريد العودة إلى بلدي", "ar"),
    ("عايز أرجع بلدي بسرعة", "ar"),
    ("میں اپنے ملک واپس جانا چاہتا ہوں", "other"),  # Urdu: Arabic script, not Arabic
    ("আমি দেশে ফিরতে চাই", "other"),  # Bengali script
    ("ሰላም እንዴት ነህ", "other"),  # Amharic, Ethiopic script
    ("Ich möchte in mein Land zurückkehren, bitte helfen Sie mir", "other"),
    ("merci bcp", "fr"), ("yes plz", "en"), ("asante sana", "other"),
])
def test_language_is_detected(text, language):
    assert detect_language(text).language == language


@pytest.mark.parametrize("text", ["1", "👍", "   ", "?!"])
def test_nothing_to_decide_on_is_undetermined(text):
    assert detect_language(text).language == "und"


def test_detection_is_deterministic_and_short_text_is_less_confident():
    assert detect_language("bonjour merci") == detect_language("bonjour merci")
    assert detect_language("merci").confidence < detect_language("Je veux rentrer dans mon pays maintenant").confidence


def detected(text):
    return detect_language(text).as_dict()


@pytest.mark.parametrize("text", ["ok", "1", "Tripoli", "👍", "merci", "yes"])
def test_short_or_ambiguous_messages_keep_the_current_language(text):
    assert decide("ar", False, detected(text), None, False, SETTINGS).language == "ar"


def test_a_confident_message_in_another_language_switches():
    assert decide("en", False, detected("Bonjour, je cherche un abri pour ma famille"), None, False,
                  SETTINGS).language == "fr"
    assert decide("fr", False, detected("أين أقرب مركز صحي؟"), None, False, SETTINGS).language == "ar"


def test_an_explicit_choice_wins_and_sticks():
    chosen = decide("en", False, detected("français"), "fr", False, SETTINGS)
    assert chosen.language == "fr" and chosen.chosen
    later = decide("fr", True, detected("I want to go home to my country now please"), None, False, SETTINGS)
    assert later.language == "fr"
    assert decide("fr", True, detected("arabic"), "ar", False, SETTINGS).language == "ar"


def test_a_first_message_in_an_unsupported_language_gets_the_offer():
    first = decide(None, False, detected("Nataka kurudi nyumbani kwetu, tafadhali nisaidie"), None, True, SETTINGS)
    assert first.offer_choice and first.language == "en"
    later = decide("en", False, detected("Nataka kurudi nyumbani kwetu, tafadhali nisaidie"), None, False, SETTINGS)
    assert not later.offer_choice


@pytest.mark.parametrize("text,code", [("français", "fr"), ("Francais", "fr"), ("عربي", "ar"), ("English", "en"),
                                       ("arabe", "ar"), ("hello", None)])
def test_a_language_named_alone_is_an_explicit_choice(text, code):
    assert SETTINGS.named(text) == code


def test_a_short_first_message_sets_the_language():
    assert decide(None, False, detected("bonjour"), None, True, SETTINGS).language == "fr"
    assert decide(None, False, detected("ok"), None, True, SETTINGS).language == "en"
    assert decide("en", False, detected("bonjour"), None, False, SETTINGS).language == "en"


def test_many_texts_get_the_same_languages_in_parallel_as_one_by_one() -> None:
    from bot.language import PARALLEL_FROM, detect_language, detect_languages

    texts = ["where is the clinic", "je veux rentrer chez moi", "أريد العودة", "ok", "😀", "habari yako rafiki"]
    many = (texts * (PARALLEL_FROM // len(texts) + 1))[: PARALLEL_FROM + 3]
    assert detect_languages(many) == [detect_language(t) for t in many]


def test_a_chat_word_yaml_reads_as_true_is_a_clear_error(tmp_path):
    import yaml

    from bot.language import ROOT

    raw = yaml.safe_load((ROOT / "data" / "languages.yml").read_text(encoding="utf-8"))
    raw["languages"]["en"]["chat_words"].append(True)  # what YAML makes of an unquoted yes
    (tmp_path / "languages.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="quotes"):
        load_settings(tmp_path / "languages.yml")


@pytest.mark.parametrize("text", ["yes", "yes plz"])
def test_yes_is_english(text):
    assert detect_language(text).language == "en"


@pytest.mark.parametrize("text", [
    "el kafil ma dafa3li ma3ashi", "baddi e7ki ma3 shi 7ada", "3ayez arga3 masr", "aywa ma3andeesh flous",
    "salam ana fi benghazi w 3ayez doctor", "shukran ketir ya akhi",
])
def test_arabizi_is_arabic(text):
    assert detect_language(text).language == "ar"


@pytest.mark.parametrize("text", ["asante sana rafiki", "el salario no me pagaron", "covid19 test ok",
                                  "je suis au 3eme etage avec 2 enfants", "at 5pm on the 2nd floor"])
def test_numbers_and_other_languages_are_not_arabizi(text):
    assert detect_language(text).language != "ar"


def test_sms_french_is_french():
    assert detect_language("slt jsui a tunis jveu rentrer o niger").language == "fr"
