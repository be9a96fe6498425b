"""Safety first: emergencies and exploitation get numbers and places at once and a person urgently;
asking for a person is always possible; repeated misunderstandings lead to a person."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions import common
from actions.centres import format_results, search
from actions.directory import queries
from actions.emergency_numbers import number_lines, where_is_the_person
from actions.handoff import enqueue_and_tell
from actions.texts import language_of, t
from hotline.db import session_scope
from hotline.erasure import record_request

logger = logging.getLogger(__name__)


def urgent_answer(session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, opening: str,
                  service: Optional[str]) -> None:
    """Emergency numbers first (for the person's country, or for every host country when unknown), then the
    nearest centres."""
    language = language_of(tracker)
    country, place = where_is_the_person(session, tracker, language)
    dispatcher.utter_message(text="\n".join([t(opening, language), *number_lines(session, country, language)]))
    if country is not None and place is not None:
        results = search(session, (place.latitude, place.longitude), service, country, language)
        if results:
            dispatcher.utter_message(text=format_results(results, place.name, service,
                                                         queries.service_names(session, language), language))


def answer_urgently(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, opening: str,
                    service: Optional[str], handoff_response: str) -> List[EventType]:
    """Numbers and places first (an apology if the directory is down), then the urgent handoff."""
    try:
        with common.directory() as session:
            urgent_answer(session, dispatcher, tracker, opening, service)
    except common.DirectoryUnavailable:
        dispatcher.utter_message(response=common.SERVICE_UNAVAILABLE)
    return enqueue_and_tell(dispatcher, tracker, reason, True, handoff_response)


class ActionEmergency(Action):
    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return answer_urgently(dispatcher, tracker, "emergency", "utter_txt_emergency_opening", None,
                               "utter_emergency_handoff")


class ActionReportExploitation(Action):
    def name(self) -> Text:
        return "action_report_exploitation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return answer_urgently(dispatcher, tracker, "exploitation", "utter_txt_exploitation_opening", "legal_aid",
                               "utter_exploitation_handoff")


class ActionRequestHuman(Action):
    def name(self) -> Text:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        reason = "repeated_misunderstanding" if tracker.get_slot("handoff_reason") == "repeated_misunderstanding" \
            else "asked_for_person"
        return enqueue_and_tell(dispatcher, tracker, reason, False, "utter_handoff_requested")


def previous_user_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the user message before the latest one."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest:
                return ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            seen_latest = True
    return None


class ActionLowConfidence(Action):
    """First misunderstanding: ask to rephrase. Second in a row: offer a person."""

    def name(self) -> Text:
        return "action_low_confidence"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        if previous_user_intent(tracker) == "nlu_fallback":
            dispatcher.utter_message(response="utter_offer_human")
            return [SlotSet("handoff_reason", "repeated_misunderstanding")]
        dispatcher.utter_message(response="utter_rephrase")
        return []


def request_erasure(conversation_id: str) -> bool:
    """Record that this conversation must be deleted; hotline.erasure deletes it a few seconds later, once
    Rasa has saved this turn. False if the hotline database could not be written."""
    try:
        with session_scope() as session:
            record_request(session, conversation_id)
        return True
    except (SQLAlchemyError, OSError) as error:
        logger.error("Could not record an erasure request: %s", error)
        return False


class ActionForgetMe(Action):
    """Forget the slots now; the stored conversation and hotline records are deleted by hotline.erasure.

    The confirmation also tells the client to forget this device: the web widget keeps the transcript and
    the session id in localStorage, which the next person on a shared phone would read. Rasa's socket.io
    output emits the custom message's `data` as the bot_uttered event; REST returns it as a `custom`
    element. WhatsApp has nothing to clear on the device and would post it to the Graph API as a message,
    so it is left out there."""

    #: The instruction the widget acts on (web/widget/src/widget.js).
    FORGET_DEVICE = "forget_device"
    #: Channels whose output cannot carry it.
    CHANNELS_WITHOUT_DEVICE_STORAGE = frozenset({"whatsapp"})

    def name(self) -> Text:
        return "action_forget_me"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = tracker.get_slot("language")
        if request_erasure(tracker.sender_id):
            clear_device = tracker.get_latest_input_channel() not in self.CHANNELS_WITHOUT_DEVICE_STORAGE
            dispatcher.utter_message(response="utter_forget_me",
                                     json_message={"data": {"haven": self.FORGET_DEVICE}} if clear_device else None)
        else:  # never promise a deletion that was not recorded, nor wipe the device for one
            dispatcher.utter_message(response=common.SERVICE_UNAVAILABLE)
        return [AllSlotsReset(), SlotSet("language", language)]
