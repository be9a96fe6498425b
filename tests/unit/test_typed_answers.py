"""Form questions answered in words, in every language and spelling people use, and what happens when the
form cannot read an answer: the question again with a hint, then also a person offered."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility_form import ValidateEligibilityForm


def tracker(field: str, text: str, intent: str = "inform", slots: Optional[Dict[str, Any]] = None) -> Tracker:
    values = {"requested_slot": field, field: None, "language": "en", **(slots or {})}
    return Tracker("someone", values, {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
                   [], False, None, {"name": "eligibility_form"}, "action_listen")


def extract(field: str, text: str, intent: str = "inform", slots: Optional[Dict[str, Any]] = None
            ) -> Tuple[Dict[str, Any], List[Optional[str]]]:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateEligibilityForm(), f"extract_{field}")
    found = asyncio.run(method(dispatcher, tracker(field, text, intent, slots), {}))
    return found, [m.get("response") for m in dispatcher.messages]


@pytest.mark.parametrize("text,lacks_means", [
    ("jpeu pa payer", True), ("je peux pas payer le billet", True), ("g pa dargen", True),
    ("aywa ma3andeesh flous", True), ("ما عندي فلوس للتذكرة", True), ("i have no money", True),
    ("no i can pay", False), ("عندي فلوس", False), ("oui", True), ("nn", False), ("la2", False),
])
def test_can_you_pay_answered_in_words(session, text, lacks_means):
    assert extract("lacks_means", text)[0] == {"lacks_means": lacks_means}


@pytest.mark.parametrize("field,text,value", [
    ("wants_return", "yes i am in the house of madam", True),
    ("wants_return", "ouais jveu rentrer", True),
    ("wants_return", "ma baddi erja3, baddi ddall hon", False),
    ("wants_return", "ايوه", True),
    ("fears_persecution", "la2 mish 5ayef", False),
    ("fears_persecution", "non pas de danger", False),
])
def test_yes_and_no_in_words(session, field, text, value):
    assert extract(field, text)[0] == {field: value}


def test_the_questions_own_answer_overrules_a_plain_yes_or_no_of_the_nlu(session):
    # "no, I have no money" to "are you unable to pay?": the NLU heard "no", the answer means yes.
    assert extract("lacks_means", "no i have no money", "deny", {"lacks_means": False})[0] == {"lacks_means": True}


def test_no_inside_a_longer_answer_is_not_an_answer(session):
    found, said = extract("wants_return", "i have no papers")
    assert found["wants_return"] is None and said == ["utter_answer_yes_or_no"]


def test_a_second_unreadable_answer_in_a_row_offers_a_person(session):
    first, said = extract("lacks_means", "hmm the situation is complicated")
    assert first["unread_answers"] == {"field": "lacks_means", "count": 1} and said == ["utter_answer_yes_or_no"]
    second, said = extract("lacks_means", "what do you mean", slots={"unread_answers": first["unread_answers"]})
    assert second["unread_answers"]["count"] == 2 and said == ["utter_answer_yes_or_no", "utter_form_offer_person"]


def test_an_unreadable_answer_to_another_question_starts_counting_again(session):
    _, said = extract("situation", "hmm", slots={"unread_answers": {"field": "lacks_means", "count": 1}})
    assert said == ["utter_choose_button"]


def test_a_question_of_its_own_is_left_to_the_dialogue(session):
    assert extract("lacks_means", "how much does the ticket cost", "ask_cash_assistance") == ({}, [])


@pytest.mark.parametrize("text", ["i dont know", "jsp", "ما بعرف", "mesh 3aref walla"])
def test_i_dont_know_is_neither_yes_nor_no(session, text):
    # The NLU often takes "I don't know" for "no" (deny): that would end the check as "not eligible".
    found, said = extract("lacks_means", text, "deny", {"lacks_means": False})
    assert found["lacks_means"] is None and said == ["utter_answer_yes_or_no"]


def test_the_form_keeps_the_count_of_unread_answers(session):
    # rasa_sdk drops slots that are not the form's own from what the form returns; the count must survive.
    form = ValidateEligibilityForm()
    domain = {"forms": {"eligibility_form": {"required_slots": ["host_country", "wants_return", "lacks_means"]}},
              "slots": {}}
    state = tracker("lacks_means", "hmm", "greet", {"host_country": "LY", "wants_return": True,
                                                     "fears_persecution": False})
    events = asyncio.run(form.run(CollectingDispatcher(), state, domain))
    assert {"event": "slot", "timestamp": None, "name": "unread_answers",
            "value": {"field": "lacks_means", "count": 1}} in events


def test_a_negated_answer_is_a_no(session):
    # "no, not afraid" in Sudanese Arabic: "خايف" (afraid) right after "ما" (not) — never the protection route
    assert extract("fears_persecution", "لا ما خايف")[0] == {"fears_persecution": False}
    assert extract("fears_persecution", "i am not afraid of anything")[0] == {"fears_persecution": False}
    # a "yes" answer that is itself a negative phrase stays a yes
    assert extract("lacks_means", "لا ما عندي فلوس")[0] == {"lacks_means": True}


def test_the_word_an_answer_starts_with_overrules_the_nlu(session):
    # "no problem" to "do you fear harm?": the classifier heard "yes" (affirm)
    assert extract("fears_persecution", "no problem", "affirm", {"fears_persecution": True})[0] == \
        {"fears_persecution": False}


@pytest.mark.parametrize("text", ["non je suis en bonne santé", "no, none of these", "لا"])
def test_a_no_to_the_situation_question_is_none_of_those_listed(session, text):
    assert extract("situation", text, "deny")[0] == {"situation": "other"}


def test_a_no_naming_a_situation_is_that_situation(session):
    assert extract("situation", "no i cant leave, no way to leave", "deny")[0] == {"situation": "stranded"}
