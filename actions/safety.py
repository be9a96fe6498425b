"""Safety first: emergencies and exploitation get numbers and places at once and a person urgently;
asking for a person is always possible; repeated misunderstandings lead to a person."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import common
from actions.centres import format_results, search
from actions.directory import queries
from actions.places import read_place
from actions.texts import joined, language_of, t

HOST_COUNTRIES = ("LY", "EG", "TN", "LB", "JO")


def format_numbers(numbers: List[Tuple[str, str]], language: str) -> str:
    return joined([t("utter_txt_emergency_number", language, service=service, number=number)
                   for service, number in numbers], language)


def where_is_the_person(session: Session, tracker: Tracker, language: str) -> Tuple[Optional[str], Optional[Any]]:
    """(country code, place) from this message, else from what the conversation already knows."""
    entity_values = common.latest_entities(tracker, "city") + common.latest_entities(tracker, "country")
    prefer = tracker.get_slot("host_country") or tracker.get_slot("work_country")
    query = read_place(common.gazetteer(session), common.latest_text(tracker), entity_values, prefer)
    match = query.found
    if match is not None:
        place = (queries.place(session, match.entry.id, language) if match.entry.kind == "place"
                 else queries.capital_like_place(session, match.entry.country_code, language))
        return match.entry.country_code, place
    if prefer:
        return prefer, queries.capital_like_place(session, prefer, language)
    return None, None


def urgent_answer(session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, opening: str,
                  service: Optional[str]) -> None:
    """Emergency numbers first (for the person's country, or for every host country when unknown), then the
    nearest centres."""
    language = language_of(tracker)
    country, place = where_is_the_person(session, tracker, language)
    lines = [t(opening, language)]
    if country is None:
        lines.append(t("utter_txt_emergency_numbers_all", language))
        for code in HOST_COUNTRIES:
            numbers = queries.emergency_numbers(session, code, language)
            lines.append(t("utter_txt_emergency_country_line", language,
                           country=queries.country_name(session, code, language) or code,
                           numbers=format_numbers(numbers, language) if numbers
                           else t("utter_txt_no_checked_number", language)))
        lines.append(t("utter_txt_tell_town", language))
        dispatcher.utter_message(text="\n".join(lines))
        return
    name = queries.country_name(session, country, language) or country
    numbers = queries.emergency_numbers(session, country, language)
    lines.append(t("utter_txt_emergency_numbers", language, country=name, numbers=format_numbers(numbers, language))
                 if numbers else t("utter_txt_no_emergency_number", language, country=name))
    dispatcher.utter_message(text="\n".join(lines))
    if place is not None:
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
    dispatcher.utter_message(response=handoff_response)
    return common.handoff_events(reason, urgent=True, tracker=tracker)


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
        dispatcher.utter_message(response="utter_handoff_requested")
        return common.handoff_events(reason, urgent=False, tracker=tracker)


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


class ActionForgetMe(Action):
    def name(self) -> Text:
        return "action_forget_me"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = tracker.get_slot("language")
        dispatcher.utter_message(response="utter_forget_me")
        return [AllSlotsReset(), SlotSet("language", language)]
