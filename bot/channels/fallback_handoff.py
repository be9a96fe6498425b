"""A person stays reachable when Haven's actions are down.

"Talk to a person", an emergency or a report of exploitation is answered by a custom action that puts the
conversation in the hotline queue. When that action fails (action server or directory down), telling the
user to write "talk to a person" again sends them into the step that just failed. So the channel does the
two things that do not need the action server:

* it records the handoff itself, in the hotline database (the queue the console reads, hotline.queue);
* it gives the emergency numbers for where the person is (or every host country), read from the
  directory's content files (data/directory/), which need neither the action server nor the database.
"""
from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from rasa.shared.core.trackers import DialogueStateTracker

from bot.translations import catalogue

logger = logging.getLogger(__name__)
DIRECTORY = Path(__file__).resolve().parents[2] / "data" / "directory"
#: The hotline queue's reason for each intent or action that asks for a person (hotline.models priorities).
REASON_OF_INTENT = {"emergency": "emergency", "report_exploitation": "exploitation", "request_human": "asked_for_person",
                    "fear_of_return": "protection"}
REASON_OF_ACTION = {"action_emergency": "emergency", "action_report_exploitation": "exploitation",
                    "action_request_human": "asked_for_person", "action_protection": "protection",
                    "action_urgent_followup": "emergency"}
HOST_COUNTRIES = ("LY", "EG", "TN", "LB", "JO")
PERSON_ASKED = "utter_service_unavailable_person_asked"
PERSON_UNREACHABLE = "utter_service_unavailable_no_person"


def handoff_reason(tracker: DialogueStateTracker, failed: Sequence[str]) -> Optional[str]:
    """Why a person must be asked for in a turn whose custom actions `failed`, or None if nobody was asked
    for (the action that asks failed, or the person asked and an action before it, e.g. a form, failed)."""
    if not failed:
        return None
    for name in failed:
        if name in REASON_OF_ACTION:
            return REASON_OF_ACTION[name]
    intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    return REASON_OF_INTENT.get(intent or "")


def record_handoff(conversation_id: str, channel: str, language: str, reason: str) -> bool:
    """Put the conversation in the hotline queue; False if the hotline database cannot be written either."""
    from hotline import queue
    from hotline.db import session_scope

    try:
        with session_scope() as session:
            queue.enqueue(session, conversation_id, channel, language, reason)
        return True
    except Exception as error:  # noqa: BLE001 - any failure here: the user still gets the numbers
        logger.error("Could not record a handoff while the actions are down: %s", type(error).__name__)
        return False


@lru_cache(maxsize=1)
def _numbers_and_names() -> Tuple[Dict[str, List[Tuple[str, str]]], Dict[str, Dict[str, str]],
                                  Dict[str, Dict[str, str]]]:
    """(numbers by country, country names by language, service names by language) from the content files."""
    from actions.directory.load import read_directory

    directory = read_directory(DIRECTORY)
    numbers: Dict[str, List[Tuple[str, str]]] = {}
    for row in directory.emergency_numbers:
        numbers.setdefault(row.country, []).append((row.service, row.number))
    countries = {c.code: c.names for c in directory.countries}
    services = {s.id: s.names for s in directory.emergency_services}
    return numbers, countries, services


def _local(names: Dict[str, str], language: str, fallback: str) -> str:
    return names.get(language) or names.get("en") or fallback


def emergency_number_lines(country: Optional[str], language: str) -> List[str]:
    """The numbers for `country`, else one line per host country; [] when the content cannot be read."""
    try:
        numbers, countries, services = _numbers_and_names()
    except Exception as error:  # noqa: BLE001 - a broken content file must not stop the apology
        logger.error("Could not read the emergency numbers: %s", error)
        return []
    text = catalogue().text

    def formatted(code: str) -> str:
        parts = [text("utter_txt_emergency_number", language,
                      service=_local(services.get(service, {}), language, service), number=number)
                 for service, number in numbers.get(code, [])]
        return text("utter_txt_list_separator", language).join(parts)

    def name(code: str) -> str:
        return _local(countries.get(code, {}), language, code)

    if country in numbers:
        return [text("utter_txt_emergency_numbers", language, country=name(country), numbers=formatted(country))]
    lines = [text("utter_txt_emergency_numbers_all", language)]
    for code in HOST_COUNTRIES:
        lines.append(text("utter_txt_emergency_country_line", language, country=name(code),
                          numbers=formatted(code) if numbers.get(code)
                          else text("utter_txt_no_checked_number", language)))
    return lines


def where(tracker: DialogueStateTracker) -> Optional[str]:
    """The country the conversation already placed the person in, if any."""
    for slot in ("host_country", "work_country"):
        value = tracker.get_slot(slot)
        if isinstance(value, str) and value:
            return value
    return None


async def ask_a_person(tracker: DialogueStateTracker, channel: str, reason: str) -> Tuple[str, List[str]]:
    """Record the handoff and return (the response to say, the emergency number lines to add)."""
    language = tracker.get_slot("language") or "en"
    recorded = await asyncio.to_thread(record_handoff, tracker.sender_id, channel, language, reason)
    return (PERSON_ASKED if recorded else PERSON_UNREACHABLE), emergency_number_lines(where(tracker), language)
