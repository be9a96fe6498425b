"""End-to-end: form questions answered in words (SMS French, dialect, Arabizi), answers the form cannot read,
and Arabizi and SMS French understood and answered in Arabic script and French."""
from __future__ import annotations

import re

ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff]")


def slot(stack, user, name):
    return stack.tracker(user)["slots"].get(name)


def to_the_pay_question(stack, user, first: str, country: str) -> str:
    stack.say(user, first)
    stack.say(user, country)
    if slot(stack, user, "requested_slot") == "wants_return":  # not said in the first message
        stack.say(user, "/affirm")
    return stack.say(user, "/deny")  # no fear of harm: the next question is whether they can pay


def test_sms_french_i_cant_pay_is_an_answer(stack, user):
    to_the_pay_question(stack, user, "je veux rentrer chez moi", "Libye")
    answer = stack.say(user, "jpeu pa payer")
    assert slot(stack, user, "lacks_means") is True
    assert "situation" in answer.lower()  # the next question, in French


def test_arabizi_yes_with_the_reason_is_an_answer(stack, user):
    to_the_pay_question(stack, user, "عايز أرجع بلدي", "ليبيا")
    stack.say(user, "aywa ma3andeesh flous")
    assert slot(stack, user, "lacks_means") is True


def test_yes_followed_by_more_is_an_answer(stack, user):
    stack.say(user, "/request_return")  # the button: nothing said yet about going home
    question = stack.say(user, "Lebanon")
    assert "go back to your home country" in question
    stack.say(user, "yes i am in the house of madam")
    assert slot(stack, user, "wants_return") is True


def test_two_unreadable_answers_offer_a_person(stack, user):
    to_the_pay_question(stack, user, "I want to go back home", "Tunisia")
    first = stack.say(user, "hmm")
    assert "yes" in first and "no" in first and "talk to a person" not in first.lower()
    second = stack.say(user, "i dont know")
    assert "talk to a person" in second.lower()
    assert slot(stack, user, "requested_slot") == "lacks_means"  # nothing lost: the question stands


def test_arabizi_is_answered_in_arabic_script(stack, user):
    answer = stack.say(user, "salam, ana fi benghazi w mra2ti 3ayza doctor")
    assert slot(stack, user, "language") == "ar"
    assert ARABIC_LETTERS.search(answer)


def test_sms_french_is_answered_in_french(stack, user):
    stack.say(user, "slt jsui a tunis jveu rentrer o niger")
    assert slot(stack, user, "language") == "fr"
