"""The wage form reads typed answers to "are you still in that country?" and asks again when it cannot."""
import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.wages import ValidateWageForm


def answer(text: str, intent: str = "inform") -> Tracker:
    return Tracker("someone", {"requested_slot": "still_in_country", "still_in_country": None, "language": "fr"},
                   {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}, [], False, None,
                   {"name": "wage_form"}, "action_listen")


def extract(text: str, intent: str = "inform"):
    dispatcher = CollectingDispatcher()
    found = asyncio.run(ValidateWageForm().extract_still_in_country(dispatcher, answer(text, intent), {}))
    return found, [m.get("response") for m in dispatcher.messages]


def test_a_typed_answer_fills_the_slot(session):
    assert extract("non, je suis déjà rentré au pays") == ({"still_in_country": False}, [])
    assert extract("oui je suis toujours à Tripoli") == ({"still_in_country": True}, [])


def test_an_unreadable_answer_is_asked_again_not_dropped(session):
    # Returning the slot (empty) keeps the form running, so it asks again; returning nothing would make
    # Rasa reject the form and leave the turn without a reply.
    assert extract("c'est compliqué") == ({"still_in_country": None,
                                          "unread_answers": {"field": "still_in_country", "count": 1}},
                                         ["utter_choose_button"])


def test_an_interruption_is_left_to_its_rule(session):
    assert extract("je veux parler à quelqu'un", intent="request_human") == ({}, [])


def starting(text: str, entities: list, slots: dict) -> dict:
    tracker = Tracker("someone", {"requested_slot": None, "language": "en", **slots},
                      {"text": text, "intent": {"name": "ask_wage_recovery", "confidence": 0.9},
                       "entities": entities}, [], False, None, {"name": "wage_form"}, "action_listen")
    return asyncio.run(ValidateWageForm().extract_work_country(CollectingDispatcher(), tracker, {}))


def test_home_named_in_a_wage_question_is_not_where_the_person_worked(session):
    bangladesh = [{"entity": "country", "value": "bangladesh", "start": 14, "end": 24}]
    text = "if i go home bangladesh i lose the money?"
    assert starting(text, bangladesh, {"work_country": "LY"}) == {}
    assert starting(text, bangladesh, {"host_country": "LY"}) == {}
    lebanon = [{"entity": "country", "value": "lebanon", "start": 18, "end": 25}]
    assert starting("my boss in Beirut Lebanon did not pay", lebanon, {"host_country": "LY"}) == {"work_country": "LB"}
