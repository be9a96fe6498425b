"""End-to-end in French and Arabic through the REST channel: answers in the person's language, place
names in that language's script, switching languages, and short replies that must not switch."""
from __future__ import annotations

import pytest

from bot.language import detect_language
from bot.translations import catalogue


def expected(key: str, language: str, **values: str) -> str:
    """The start of a response's text in `language` (before its first placeholder)."""
    return catalogue().text(key, language, **values).split("{")[0][:40]


def language_of(answer: str) -> str:
    return detect_language(answer).language


def test_french_eligibility(stack, user):
    answer = stack.say(user, "Bonjour, je veux rentrer chez moi au Mali, je n'ai plus rien ici")
    assert expected("utter_ask_host_country", "fr") in answer
    # Wanting to go home, to Mali, was said in passing: neither is asked again (issue 21).
    assert expected("utter_ask_fears_persecution", "fr") in stack.say(user, "je suis en Libye")
    assert expected("utter_ask_lacks_means", "fr") in stack.say(user, "non")
    stack.say(user, "/affirm")
    stack.say(user, '/inform{"situation": "stranded"}')
    result = stack.say(user, "aucun")
    assert expected("utter_txt_eligible_header", "fr") in result
    assert language_of(result) == "fr"


def test_french_centres_by_city_name_in_french(stack, user):
    answer = stack.say(user, "Je cherche une clinique au Caire svp")
    assert "Le Caire" in answer and "km" in answer
    assert language_of(answer) == "fr"


def test_french_wage_recovery(stack, user):
    question = stack.say(user, "Mon patron en Libye ne m'a pas payé mon salaire depuis trois mois")
    if expected("utter_ask_work_country", "fr") in question:
        question = stack.say(user, "Libye")
    assert expected("utter_ask_still_in_country", "fr") in question
    answer = stack.say(user, "/deny")
    assert "Libye" in answer and language_of(answer) == "fr"


def test_french_typed_answer_that_the_person_has_left(stack, user):
    question = stack.say(user, "Mon patron en Libye ne m'a pas payé mon salaire depuis trois mois")
    if expected("utter_ask_work_country", "fr") in question:
        stack.say(user, "Libye")
    # An answer Haven cannot read (whatever the NLU makes of it) gets the question again, never silence or
    # the "Haven is not working" apology.
    not_understood = stack.say(user, "banane")
    assert expected("utter_ask_still_in_country", "fr") in not_understood
    assert expected("utter_service_unavailable", "fr") not in not_understood
    answer = stack.say(user, "non, je suis déjà rentré au pays")
    assert expected("utter_txt_avenues_left", "fr", country="Libye") in answer and language_of(answer) == "fr"


def test_arabic_eligibility(stack, user):
    assert expected("utter_ask_host_country", "ar") in stack.say(user, "أريد العودة إلى بلدي، ليس معي مال")
    # Wanting to go back was said in passing: not asked again (issue 21).
    assert expected("utter_ask_fears_persecution", "ar") in stack.say(user, "أنا في ليبيا")
    stack.say(user, "لا")
    stack.say(user, "/affirm")
    stack.say(user, '/inform{"situation": "irregular"}')
    stack.say(user, '/inform{"vulnerability": "skipped"}')
    result = stack.say(user, "السودان")
    assert expected("utter_txt_eligible_header", "ar") in result
    assert language_of(result) == "ar"


def test_arabic_centres_by_city_name_in_arabic_script(stack, user):
    answer = stack.say(user, "وين أقرب عيادة في بنغازي؟")
    assert "بنغازي" in answer and language_of(answer) == "ar"


def test_arabic_wage_recovery(stack, user):
    question = stack.say(user, "صاحب الشغل في لبنان ما دفع لي راتبي من شهرين")
    if expected("utter_ask_work_country", "ar") in question:
        question = stack.say(user, "لبنان")
    assert expected("utter_ask_still_in_country", "ar") in question
    answer = stack.say(user, "/affirm")
    assert "لبنان" in answer and language_of(answer) == "ar"


def test_switching_language_mid_conversation(stack, user):
    assert language_of(stack.say(user, "hello, what can you do for me?")) == "en"
    assert language_of(stack.say(user, "Bonjour, je cherche un hébergement à Tunis pour ma famille ce soir")) == "fr"
    assert language_of(stack.say(user, "أين أجد مأوى في تونس العاصمة؟")) == "ar"


@pytest.mark.parametrize("short", ["ok", "1", "Tripoli", "👍"])
def test_short_replies_do_not_switch_the_language(stack, user, short):
    stack.say(user, "مرحبا، أحتاج مساعدة من فضلك")
    stack.say(user, short)
    assert stack.tracker(user)["slots"]["language"] == "ar"


def test_an_explicit_choice_sticks(stack, user):
    stack.say(user, '/choose_language{"language": "fr"}')
    stack.say(user, "I need a shelter for my family tonight please")
    assert stack.tracker(user)["slots"]["language"] == "fr"


def test_an_unsupported_first_message_gets_the_language_offer(stack, user):
    answer = stack.say(user, "Habari, nataka kurudi nyumbani kwetu, tafadhali nisaidie")
    assert "English" in answer and "Français" in answer and "العربية" in answer
