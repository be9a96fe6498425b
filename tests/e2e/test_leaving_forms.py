"""End-to-end (issue 18, item 15): every form can be left with "stop" in any language, the next message is
handled as usual, and a shared location answers "which country?" instead of "I didn't recognise that
country"."""
from __future__ import annotations

import pytest

from bot.translations import catalogue

TRIPOLI = '/share_location{"latitude": 32.89, "longitude": 13.19}'
MID_ATLANTIC = '/share_location{"latitude": 40.0, "longitude": -40.0}'


def expected(key: str, language: str = "en", **values: str) -> str:
    """The start of a response's text in `language` (before its first placeholder)."""
    return catalogue().text(key, language, **values).split("{")[0][:40]


def form_is_over(stack, user) -> bool:
    tracker = stack.tracker(user)
    slots = tracker["slots"]
    return not (tracker.get("active_loop") or {}).get("name") and slots.get("requested_slot") is None


def test_stop_leaves_the_wage_form_and_the_next_message_is_answered_as_usual(stack, user):
    assert "which country did you work" in stack.say(user, "/ask_wage_recovery")
    answer = stack.say(user, "stop")
    assert "I stopped those questions" in answer and "Unpaid wages" in answer  # the main menu's buttons
    assert "didn't recognise that country" not in answer
    assert form_is_over(stack, user)
    assert stack.tracker(user)["slots"].get("work_country") is None
    following = stack.say(user, "where is a clinic in Benghazi")
    assert "Benghazi" in following and "km" in following
    assert "which country did you work" not in following


@pytest.mark.parametrize("start, stop, language", [
    ("Mon patron en Libye ne m'a pas payé mon salaire depuis trois mois", "laisse tomber", "fr"),
    ("صاحب الشغل في لبنان ما دفع لي راتبي من شهرين", "خلاص", "ar"),
])
def test_the_wage_form_can_be_left_in_french_and_arabic(stack, user, start, stop, language):
    question = stack.say(user, start)
    assert expected("utter_ask_work_country", language) in question \
        or expected("utter_ask_still_in_country", language) in question
    answer = stack.say(user, stop)
    assert expected("utter_form_stopped", language) in answer
    assert expected("utter_unknown_country", language) not in answer
    assert form_is_over(stack, user)


def test_stop_at_the_yes_no_question_leaves_and_a_plain_no_still_answers_it(stack, user):
    stack.say(user, "/ask_wage_recovery")
    assert "still in that country" in stack.say(user, "Libya")
    assert "I stopped those questions" in stack.say(user, "stop")
    assert form_is_over(stack, user)
    # Asked again, "no" is an answer: the avenues for someone who has left.
    stack.say(user, "/ask_wage_recovery")
    stack.say(user, "Libya")
    assert "now that you have left" in stack.say(user, "no")


def test_the_eligibility_form_can_be_left(stack, user):
    assert "Which country are you in" in stack.say(user, "/request_return")
    assert "go back to your home country" in stack.say(user, "I am in Libya")
    answer = stack.say(user, "never mind")
    assert "I stopped those questions" in answer and "Based on your answers" not in answer
    assert form_is_over(stack, user)
    assert stack.tracker(user)["slots"].get("wants_return") is None


def test_a_shared_location_answers_the_wage_questions(stack, user):
    stack.say(user, "/ask_wage_recovery")
    answer = stack.say(user, TRIPOLI)
    assert "You shared a location in Libya: I'll use that." in answer
    assert "didn't recognise that country" not in answer
    assert "still in that country" in answer
    answer = stack.say(user, TRIPOLI)  # still there
    assert "while you are still there" in answer and "Libya" in answer


def test_a_location_far_from_every_known_place_gets_the_question_again(stack, user):
    stack.say(user, "/ask_wage_recovery")
    answer = stack.say(user, MID_ATLANTIC)
    assert "couldn't tell which country that location is in" in answer
    assert "which country did you work" in answer
    assert "didn't recognise that country" not in answer
