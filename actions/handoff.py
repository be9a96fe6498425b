"""Putting a conversation in the hotline queue and telling the user, in their language, what happens next:
roughly how long until a person answers, or, outside the hotline's hours, when it opens and the
emergency numbers to call meanwhile. Nobody is left waiting in silence."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import common
from actions.directory import queries
from actions.emergency_numbers import number_lines, person_location, where_is_the_person
from actions.texts import language_of, t
from hotline import queue
from hotline.db import session_scope
from hotline.hours import Schedule

logger = logging.getLogger(__name__)


def closed_text(schedule: Schedule, now: datetime, language: str, zone_name: Optional[str] = None) -> str:
    """When the hotline opens, in the time of the person `schedule` is for (`zone_name`: their country)."""
    opening = schedule.next_opening(now)
    if opening is None:
        return t("utter_txt_hotline_closed", language, when="?")
    shown = schedule.shown(opening)
    when = t("utter_txt_hotline_when", language, day=schedule.weekday_name(shown.weekday(), language),
             time=shown.strftime("%H:%M"), zone=zone_name or schedule.zone_name(language))
    return t("utter_txt_hotline_closed", language, when=when)


def person_schedule(tracker: Tracker, language: str) -> Tuple[Schedule, Optional[str]]:
    """The hotline's schedule as the person sees it (their country's time zone and hours, data/hotline.yml),
    and the name to tell that time by (their country's; None: the hotline's own zone name)."""
    schedule = Schedule.load()
    try:
        with common.directory() as session:
            country, _ = person_location(session, tracker, language)
            name = queries.country_name(session, country, language) if country else None
    except common.DirectoryUnavailable:
        country, name = tracker.get_slot("host_country") or tracker.get_slot("work_country"), None
    return schedule.for_country(country), (name if schedule.countries.get(country or "") else None)


def emergency_numbers_text(tracker: Tracker, language: str) -> Optional[str]:
    try:
        with common.directory() as session:
            country, _ = where_is_the_person(session, tracker, language)
            return "\n".join(number_lines(session, country, language))
    except common.DirectoryUnavailable:
        return None


def hours_text(tracker: Tracker, language: str, now: datetime) -> str:
    """Open now (and the usual wait), or when the hotline opens in the person's time and what to do meanwhile."""
    schedule, zone_name = person_schedule(tracker, language)
    if schedule.is_open(now):
        return t("utter_txt_hotline_open_now", language, minutes=schedule.estimated_minutes(1))
    return "\n".join([closed_text(schedule, now, language, zone_name), t("utter_txt_hotline_meanwhile", language)])


def enqueue_and_tell(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, urgent: bool,
                     response: str, now: Optional[datetime] = None) -> List[EventType]:
    """Queue the conversation, say a person was asked for (`response`) and when they will answer."""
    language = language_of(tracker)
    now = now or datetime.now(timezone.utc)
    try:
        schedule, zone_name = person_schedule(tracker, language)
        with session_scope() as session:
            placed = queue.enqueue(session, tracker.sender_id, tracker.get_latest_input_channel() or "unknown",
                                   language, reason)
            position = placed.position
    except (SQLAlchemyError, OSError, ValueError, KeyError) as error:
        logger.error("Could not put a conversation in the hotline queue: %s", error)
        dispatcher.utter_message(text=t("utter_txt_hotline_unreachable", language))
        return common.handoff_events(reason, urgent=urgent, tracker=tracker)
    dispatcher.utter_message(response=response)
    if schedule.is_open(now):
        dispatcher.utter_message(text=t("utter_txt_hotline_wait", language,
                                        minutes=schedule.estimated_minutes(position)))
    else:
        lines = [closed_text(schedule, now, language, zone_name), t("utter_txt_hotline_meanwhile", language)]
        if not urgent:  # urgent answers have just given the numbers
            numbers = emergency_numbers_text(tracker, language)
            if numbers:
                lines += [t("utter_txt_hotline_danger", language), numbers]
        dispatcher.utter_message(text="\n".join(lines))
    return common.handoff_events(reason, urgent=urgent, tracker=tracker)
