"""Safety first: emergencies and exploitation get numbers, places, what to do now and a person urgently; fear
of harm at home gets the protection route; while an urgent case is open every message is answered on the
urgent path; asking for a person is always possible; repeated misunderstandings lead to a person.

Which message leads to which of these actions is decided in one place, bot/safety.py, from the rules in
data/safety/rules.yml (docs/SAFETY.md). These actions only answer."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions import common
from actions.centres import RESULTS, format_results, last_search, remember_where, search
from actions.directory import queries
from actions.emergency_numbers import HOST_COUNTRIES, number_lines, person_location, user_messages_before_this_one
from actions.geo import nearest
from actions.places import read_place
from actions.handoff import enqueue_and_tell, hours_text
from actions.texts import language_of, t
from bot.safety import PROTECTION_SLOT, URGENT_CASE_SLOT, live_rules
from hotline.db import session_scope
from hotline.erasure import record_request

logger = logging.getLogger(__name__)
GUIDANCE_FILE = Path(__file__).resolve().parents[1] / "data" / "safety" / "guidance.yml"
#: The eligibility answers a protection referral clears: the questionnaire starts afresh if asked for again.
ELIGIBILITY_ANSWERS = ("wants_return", "fears_persecution", "lacks_means", "situation", "vulnerabilities",
                       "origin_country")


def leave_any_form() -> List[EventType]:
    """A safety answer ends whatever questionnaire was running: its next question would be the wrong answer."""
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


@lru_cache(maxsize=4)
def _guidance(stamp: float) -> Dict[str, Any]:
    return yaml.safe_load(GUIDANCE_FILE.read_text(encoding="utf-8")) or {}


def guidance(situation: str, language: str) -> List[str]:
    """The safety guidance of data/safety/guidance.yml for a situation (danger, confinement), in the language
    (English when it has no translation)."""
    try:
        texts = _guidance(GUIDANCE_FILE.stat().st_mtime).get(situation) or {}
    except (OSError, yaml.YAMLError) as error:
        logger.error("Safety guidance unreadable: %s", error)
        return []
    return list(texts.get(language) or texts.get("en") or [])


def guidance_text(situation: str, language: str) -> Optional[str]:
    lines = guidance(situation, language)
    return "\n".join([t("utter_txt_safety_guidance_header", language), *("• " + line for line in lines)]) \
        if lines else None


def candidate_countries(session: Session, tracker: Tracker) -> List[str]:
    """Host countries an unclear town may be in ("Tripoli": Libya or Lebanon), named in this message or, when
    it names none, in the latest earlier message that named a place."""
    gazetteer = common.gazetteer(session)
    messages = [tracker.latest_message or {}, *user_messages_before_this_one(tracker)]
    for index, parse in enumerate(messages):
        entities = [e.get("value") for e in parse.get("entities") or [] if e.get("entity") in ("city", "country")]
        query = read_place(gazetteer, parse.get("text") or "" if index == 0 else "", entities)
        if query.matches:
            found = {m.entry.country_code for m in query.matches}
            return [code for code in HOST_COUNTRIES if code in found] if query.ambiguous else []
    return []


def urgent_centres(session: Session, origin: Tuple[float, float], service: Optional[str], country: str,
                   language: str) -> List[Tuple[Any, float]]:
    """The nearest centres that can help now: those with a phone first, never an embassy alone (the person may
    fear their own state)."""
    candidates = [c for c in queries.centres(session, service, country, language) if set(c.services) != {"consular"}]
    reachable = [c for c in candidates if c.phone]
    return nearest(origin, reachable or candidates, lambda c: c.position, limit=RESULTS)


def urgent_answer(session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, opening: str,
                  service: Optional[str], situation: str, with_centres: bool = True,
                  with_guidance: bool = True) -> List[EventType]:
    """Emergency numbers of the country where the person is (those of the countries an ambiguous town may be
    in, or of every host country and a request for the town when unknown), the nearest centres with a
    contact, and what to do now. Returns the events that remember where the person is."""
    language = language_of(tracker)
    country, place = person_location(session, tracker, language)
    lines = [t(opening, language)]
    if country is None and (candidates := candidate_countries(session, tracker)):
        for code in candidates:
            lines += number_lines(session, code, language)
        names = [queries.country_name(session, code, language) or code for code in candidates]
        lines.append(t("utter_txt_which_country", language, countries=t("utter_txt_or", language).join(names)))
    else:
        lines += number_lines(session, country, language)
    dispatcher.utter_message(text="\n".join(lines))
    if with_centres and country is not None and place is not None:
        results = urgent_centres(session, (place.latitude, place.longitude), service, country, language)
        if service is not None and not results:
            results = urgent_centres(session, (place.latitude, place.longitude), None, country, language)
        if results:
            dispatcher.utter_message(text=format_results(results, place.name, service,
                                                         queries.service_names(session, language), language))
    advice = guidance_text(situation, language) if with_guidance else None
    if advice:
        dispatcher.utter_message(text=advice)
    return remember_where(country, None)


def answer_urgently(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, opening: str,
                    service: Optional[str], handoff_response: str, situation: str) -> List[EventType]:
    """Numbers, places and guidance first (an apology if the directory is down), then the urgent handoff; the
    urgent case is open from now on."""
    where: List[EventType] = []
    try:
        with common.directory() as session:
            where = urgent_answer(session, dispatcher, tracker, opening, service, situation)
    except common.DirectoryUnavailable:
        dispatcher.utter_message(response=common.SERVICE_UNAVAILABLE)
        advice = guidance_text(situation, language_of(tracker))
        if advice:
            dispatcher.utter_message(text=advice)
    return [*leave_any_form(), *where, *enqueue_and_tell(dispatcher, tracker, reason, True, handoff_response),
            SlotSet(URGENT_CASE_SLOT, True)]


class ActionEmergency(Action):
    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return answer_urgently(dispatcher, tracker, "emergency", "utter_txt_emergency_opening", None,
                               "utter_emergency_handoff", "danger")


class ActionReportExploitation(Action):
    def name(self) -> Text:
        return "action_report_exploitation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return answer_urgently(dispatcher, tracker, "exploitation", "utter_txt_exploitation_opening", "legal_aid",
                               "utter_exploitation_handoff", "confinement")


def actions_this_turn(tracker: Tracker) -> List[str]:
    """The actions run since the person's latest message (one just answered their question)."""
    names: List[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "action" and event.get("name"):
            names.append(event["name"])
    return names


def urgent_situation(tracker: Tracker) -> str:
    return "confinement" if tracker.get_slot("handoff_reason") == "exploitation" else "danger"


class ActionUrgentFollowup(Action):
    """Any message while an urgent case is open: a person is coming and the numbers of where the person is,
    kept short (a phone may be nearly flat); the nearest centres when the message names the town, the safety
    guidance when the person asks what to do, and what deleting the chat means when they ask to be forgotten."""

    def name(self) -> Text:
        return "action_urgent_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        situation = urgent_situation(tracker)
        text = common.latest_text(tracker)
        asks_what_to_do = live_rules.get().asks_what_to_do(text)
        dispatcher.utter_message(text=t("utter_txt_urgent_followup", language))
        where: List[EventType] = []
        places_shown = bool({"action_find_centres", "action_health"} & set(actions_this_turn(tracker)))
        try:
            with common.directory() as session:
                named = common.latest_entities(tracker, "city") + common.latest_entities(tracker, "country")
                where = urgent_answer(session, dispatcher, tracker, "utter_txt_emergency_opening", None, situation,
                                      with_centres=bool(named) and not places_shown, with_guidance=asks_what_to_do)
        except common.DirectoryUnavailable:
            advice = guidance_text(situation, language)
            dispatcher.utter_message(text="\n".join(filter(None, [t("utter_txt_hotline_danger", language), advice])))
        if common.latest_intent(tracker) == "forget_me":
            dispatcher.utter_message(text=t("utter_txt_urgent_forget_later", language))
        dispatcher.utter_message(text=t("utter_txt_urgent_safe_hint", language))
        return [*leave_any_form(), *where, SlotSet(URGENT_CASE_SLOT, True)]


class ActionUrgentClosed(Action):
    """The person says they are safe: the urgent path ends; the hotline still has the conversation."""

    def name(self) -> Text:
        return "action_urgent_closed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_urgent_closed")
        return [SlotSet(URGENT_CASE_SLOT, False)]


class ActionHotlineHours(Action):
    """When the hotline answers, in the time of the country where the person is (data/hotline.yml), and what
    to do meanwhile. Nobody is put in the queue by asking."""

    def name(self) -> Text:
        return "action_hotline_hours"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        try:
            dispatcher.utter_message(text=hours_text(tracker, language, datetime.now(timezone.utc)))
        except (OSError, ValueError, KeyError) as error:
            logger.error("Hotline hours unreadable: %s", error)
            dispatcher.utter_message(text=t("utter_txt_hotline_unreachable", language))
        return []


def protection_offices(session: Session, dispatcher: CollectingDispatcher, country: Optional[str],
                       language: str, place: Optional[Any] = None) -> List[EventType]:
    """The UNHCR / protection offices nearest to where the person is (their town when known, else the
    country's main city), remembered as the last search so that "too far, anything closer? their phone?"
    is about them; no events when none is known."""
    if place is None or place.country_code != country:
        place = queries.capital_like_place(session, country, language) if country else None
    if place is None:
        return []
    origin = (place.latitude, place.longitude)
    results = search(session, origin, "refugee_protection", country, language)
    if not results:
        return []
    dispatcher.utter_message(text=format_results(results, place.name, "refugee_protection",
                                                 queries.service_names(session, language), language))
    return last_search(origin, country, place.name, "refugee_protection", None, [c for c, _ in results])


class ActionProtection(Action):
    """Fear of harm at home: return is not the right path and nobody may push them; UNHCR and asylum, the
    nearest protection offices where they are, a person. Any return questionnaire stops and is not offered
    again in this conversation (bot.safety: the NLG drops return offers) unless the person asks for it."""

    def name(self) -> Text:
        return "action_protection"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(response="utter_refer_protection")
        try:
            with common.directory() as session:
                country, place = person_location(session, tracker, language)
                shown = protection_offices(session, dispatcher, country, language, place)
                if not shown:
                    dispatcher.utter_message(text=t("utter_txt_protection_where", language))
        except common.DirectoryUnavailable:
            shown = []
            dispatcher.utter_message(response=common.SERVICE_UNAVAILABLE)
        events = [*leave_any_form(), *shown, SlotSet(PROTECTION_SLOT, True),
                  *(SlotSet(slot, None) for slot in ELIGIBILITY_ANSWERS)]
        return events + enqueue_and_tell(dispatcher, tracker, "protection", False, "utter_protection_handoff")


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
    """First misunderstanding: ask to rephrase. Second in a row: offer a person. (An unsure follow-up on the
    centres just shown that names one of their details never gets here: bot/follow_up_policy.py.)"""

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
