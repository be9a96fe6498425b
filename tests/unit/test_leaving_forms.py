"""Every form can be left (issue 18, item 15): "stop" and its French and Arabic words end either form at
once and its result action says so; a shared location answers the country questions; a plain "no" still
answers a yes/no question."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import means_leaving
from actions.directory import queries
from actions.eligibility_form import RESET_WHEN_LEFT, ActionEligibilityResult, ValidateEligibilityForm
from actions.wages import ActionWageRecovery, ValidateWageForm

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
TRIPOLI = {"latitude": 32.89, "longitude": 13.19}
CAIRO = {"latitude": 30.05, "longitude": 31.24}
MID_ATLANTIC = {"latitude": 40.0, "longitude": -40.0}

STOP_WORDS = {
    "en": ["stop", "Stop!", "cancel", "never mind", "not now", "ok stop please", "stop asking me questions"],
    "fr": ["stop", "arrete", "Arrête svp", "annule", "laisse tomber", "ça suffit", "pas maintenant"],
    "ar": ["خلاص", "توقف", "وقف", "بلاش", "khalas", "stop", "خلاص يا أخي"],
}
ALL_STOP_WORDS = [(language, word) for language, words in STOP_WORDS.items() for word in words]
WAGE_LEFT = [SlotSet("work_country", None), SlotSet("still_in_country", None), SlotSet("unread_answers", None),
             SlotSet("requested_slot", None)]
ELIGIBILITY_LEFT = [SlotSet(f, None) for f in RESET_WHEN_LEFT] + [SlotSet("requested_slot", None)]


def tracker(text: str, form: str, asked: Optional[str], intent: str = "inform", language: str = "en",
            entities: Optional[Dict[str, Any]] = None, **slots: Any) -> Tracker:
    found = [{"entity": name, "value": value} for name, value in (entities or {}).items()]
    return Tracker("someone", {"requested_slot": asked, "language": language, **slots},
                   {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": found}, [], False,
                   None, {"name": form}, "action_listen")


def run(action: Any, current: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN))
    return events, dispatcher.messages


# -- leaving ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language, text", ALL_STOP_WORDS)
@pytest.mark.parametrize("asked", ["work_country", "still_in_country"])
def test_a_stop_word_leaves_the_wage_form(session, language, text, asked):
    events, messages = run(ValidateWageForm(), tracker(text, "wage_form", asked, language=language))
    assert events == WAGE_LEFT and messages == []


@pytest.mark.parametrize("language, text", ALL_STOP_WORDS)
@pytest.mark.parametrize("asked", ["host_country", "wants_return", "situation", "origin_country"])
def test_a_stop_word_leaves_the_eligibility_form(session, language, text, asked):
    events, messages = run(ValidateEligibilityForm(), tracker(text, "eligibility_form", asked, language=language,
                                                              host_country="LY" if asked != "host_country" else None))
    assert events == ELIGIBILITY_LEFT and messages == []


@pytest.mark.parametrize("intent", ["deny", "goodbye", "out_of_scope", "nlu_fallback", "affirm"])
def test_whatever_the_nlu_made_of_the_stop_word(session, intent):
    # "stop" read as deny must not answer "are you still there?" with "no": the form is left instead.
    mapped = False if intent == "deny" else None  # what the domain's from_intent mapping already set
    events, _ = run(ValidateWageForm(), tracker("stop", "wage_form", "still_in_country", intent=intent,
                                                work_country="LY", still_in_country=mapped))
    assert events == WAGE_LEFT


def test_goodbye_leaves_but_not_when_it_names_a_place(session):
    assert run(ValidateWageForm(), tracker("bye", "wage_form", "work_country", intent="goodbye"))[0] == WAGE_LEFT
    events, _ = run(ValidateWageForm(), tracker("Libya bye", "wage_form", "work_country", intent="goodbye",
                                                entities={"country": "Libya"}))
    assert events != WAGE_LEFT and SlotSet("work_country", "LY") in events


@pytest.mark.parametrize("text, intent", [
    ("stop, he is beating me", "emergency"),   # answered first; the form goes on afterwards
    ("stop, I want a person", "request_human"),
])
def test_an_urgent_message_with_stop_in_it_is_answered_first(session, text, intent):
    events, _ = run(ValidateWageForm(), tracker(text, "wage_form", "work_country", intent=intent))
    assert SlotSet("requested_slot", None) not in events


@pytest.mark.parametrize("text, language", [("no", "en"), ("non", "fr"), ("لا", "ar"), ("nope", "en")])
def test_a_plain_no_still_answers_a_yes_no_question(session, text, language):
    # The domain maps deny to still_in_country = False before the validation runs (the tracker has it).
    wage = tracker(text, "wage_form", "still_in_country", intent="deny", language=language, work_country="LY",
                   still_in_country=False)
    events, _ = run(ValidateWageForm(), wage)
    assert SlotSet("requested_slot", None) not in events and SlotSet("still_in_country", None) not in events
    eligibility = tracker(text, "eligibility_form", "wants_return", intent="deny", language=language,
                          host_country="LY", wants_return=False)
    events, _ = run(ValidateEligibilityForm(), eligibility)
    # (The form may end here, since someone who does not want to return is asked nothing more, but with the
    # answer kept, so the result action explains the outcome.)
    assert SlotSet("wants_return", None) not in events and events != ELIGIBILITY_LEFT


def test_a_typed_no_the_nlu_missed_is_still_an_answer(session):
    events, _ = run(ValidateWageForm(), tracker("no", "wage_form", "still_in_country", work_country="LY"))
    assert SlotSet("still_in_country", False) in events


def test_a_message_that_says_more_is_an_answer(session):
    # "خلاص مشيت" is "I have left already", not "stop".
    events, _ = run(ValidateWageForm(), tracker("خلاص مشيت", "wage_form", "still_in_country", language="ar",
                                                work_country="LY"))
    assert SlotSet("still_in_country", False) in events and SlotSet("requested_slot", None) not in events
    events, _ = run(ValidateWageForm(), tracker("he stopped paying me in Libya", "wage_form", "work_country",
                                                entities={"country": "Libya"}))
    assert SlotSet("work_country", "LY") in events and SlotSet("requested_slot", None) not in events


def test_an_answer_option_of_the_question_wins_over_a_leave_word(session):
    # "بلاش" ("let's not") skips the optional vulnerabilities question rather than leaving the form.
    events, _ = run(ValidateEligibilityForm(), tracker("بلاش", "eligibility_form", "vulnerabilities", language="ar",
                                                       host_country="LY", wants_return=True, fears_persecution=False,
                                                       lacks_means=True, situation="student"))
    assert SlotSet("vulnerabilities", ["skipped"]) in events and SlotSet("situation", None) not in events


def test_leave_words_are_content_in_every_language(session):
    words = queries.form_options(session, "leave_form")
    assert set(words) == {"leave", "filler"}
    for language, texts in STOP_WORDS.items():
        assert all(means_leaving(text, words) for text in texts), language
    assert not means_leaving("no", words) and not means_leaving("ok", words)
    assert not means_leaving("la police m'a arrêté", words)  # "arrested me", not "stop"


# -- what the form's result action says after leaving -------------------------------------------------------
def responses(messages: List[Dict[str, Any]]) -> List[Optional[str]]:
    return [m.get("response") for m in messages]


@pytest.mark.parametrize("slots", [{}, {"work_country": "LY"}])
def test_the_wage_result_says_the_questions_stopped(session, slots):
    events, messages = run(ActionWageRecovery(), tracker("stop", "wage_form", None, **slots))
    assert responses(messages) == ["utter_form_stopped"]
    assert SlotSet("work_country", None) in events


def test_the_wage_result_still_answers_a_finished_form(session):
    _, messages = run(ActionWageRecovery(), tracker("no", "wage_form", None, work_country="LY",
                                                    still_in_country=False))
    assert "Libya" in messages[0]["text"] and responses(messages) != ["utter_form_stopped"]


@pytest.mark.parametrize("slots", [{}, {"host_country": "LY"}, {"host_country": "LY", "wants_return": True}])
def test_the_eligibility_result_says_the_questions_stopped(session, slots):
    _, messages = run(ActionEligibilityResult(), tracker("stop", "eligibility_form", None, **slots))
    assert responses(messages) == ["utter_form_stopped"]


def test_the_eligibility_result_still_answers_a_finished_form(session):
    answers = dict(host_country="LY", wants_return=True, fears_persecution=False, lacks_means=True,
                   situation="stranded", vulnerabilities=["none"], origin_country="ML")
    _, messages = run(ActionEligibilityResult(), tracker("Mali", "eligibility_form", None, **answers))
    assert responses(messages) != ["utter_form_stopped"] and "assisted" in messages[0]["text"].lower()


def test_someone_who_does_not_want_to_return_still_gets_a_result(session):
    # The form ends early on "no" to "do you want to go back?": that is an answer, not leaving.
    _, messages = run(ActionEligibilityResult(), tracker("no", "eligibility_form", None, host_country="LY",
                                                         wants_return=False))
    assert responses(messages) != ["utter_form_stopped"]


# -- a shared location as an answer -------------------------------------------------------------------------
def location(form: str, asked: str, where: Dict[str, float], **slots: Any) -> Tracker:
    payload = f'/share_location{{"latitude": {where["latitude"]}, "longitude": {where["longitude"]}}}'
    return tracker(payload, form, asked, intent="share_location", entities=where, **slots)


def test_a_location_answers_which_country_you_worked_in(session):
    events, messages = run(ValidateWageForm(), location("wage_form", "work_country", TRIPOLI))
    assert SlotSet("work_country", "LY") in events
    assert messages == [{**messages[0], "response": "utter_location_country", "country": "Libya"}]
    assert "utter_unknown_country" not in responses(messages)


@pytest.mark.parametrize("where", [MID_ATLANTIC, {"latitude": 200, "longitude": 13.19}])
def test_a_location_far_from_every_known_place_asks_again_politely(session, where):
    events, messages = run(ValidateWageForm(), location("wage_form", "work_country", where))
    assert SlotSet("work_country", None) in events and SlotSet("requested_slot", None) not in events
    assert responses(messages) == ["utter_location_no_country"]


@pytest.mark.parametrize("where, still_there", [(TRIPOLI, True), (CAIRO, False)])
def test_a_location_answers_whether_you_are_still_there(session, where, still_there):
    events, messages = run(ValidateWageForm(), location("wage_form", "still_in_country", where, work_country="LY"))
    assert SlotSet("still_in_country", still_there) in events
    assert responses(messages) == ["utter_location_country"]


def test_an_unplaced_location_asks_whether_you_are_still_there_again(session):
    events, messages = run(ValidateWageForm(), location("wage_form", "still_in_country", MID_ATLANTIC,
                                                        work_country="LY"))
    assert SlotSet("still_in_country", None) in events
    assert responses(messages) == ["utter_location_no_country"]


def test_a_location_answers_where_you_are_in_the_eligibility_form(session):
    events, messages = run(ValidateEligibilityForm(), location("eligibility_form", "host_country", CAIRO))
    assert SlotSet("host_country", "EG") in events
    assert responses(messages) == ["utter_location_country"]


def test_a_location_is_not_the_country_you_want_to_return_to(session):
    answered = dict(host_country="LY", wants_return=True, fears_persecution=False, lacks_means=True,
                    situation="stranded", vulnerabilities=["none"])
    events, messages = run(ValidateEligibilityForm(), location("eligibility_form", "origin_country", TRIPOLI,
                                                               **answered))
    assert SlotSet("origin_country", None) in events
    assert responses(messages) == ["utter_location_not_origin"]


def test_the_action_server_registers_both_forms_and_not_their_base():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert {"validate_wage_form", "validate_eligibility_form"} <= set(executor.actions)
