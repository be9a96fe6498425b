"""What every action shares: opening the directory safely, the gazetteer, the user's latest entities."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.directory import queries
from actions.directory.session import open_session
from actions.gazetteer import Gazetteer

logger = logging.getLogger(__name__)
SERVICE_UNAVAILABLE = "utter_service_unavailable"
#: Intents that must never be taken as an answer to a form question: they are answered first.
INTERRUPTING_INTENTS = {"emergency", "report_exploitation", "request_human", "ask_privacy", "forget_me",
                        "bot_challenge", "out_of_scope", "nlu_fallback"}


class DirectoryUnavailable(Exception):
    """The directory database could not be read."""


@contextmanager
def directory() -> Iterator[Session]:
    """A session on the directory; any database failure becomes DirectoryUnavailable."""
    try:
        with open_session() as session:
            yield session
    except SQLAlchemyError as error:
        logger.error("Directory database unavailable: %s", error)
        raise DirectoryUnavailable() from error


def apologise(dispatcher: CollectingDispatcher) -> List[EventType]:
    """Answer politely when the database is down, and make sure a person can take over."""
    dispatcher.utter_message(response=SERVICE_UNAVAILABLE)
    return [SlotSet("handoff_requested", True), SlotSet("handoff_reason", "service_unavailable")]


def gazetteer(session: Session) -> Gazetteer:
    return Gazetteer(queries.gazetteer_entries(session))


def latest_entities(tracker: Tracker, entity: str) -> List[Any]:
    return [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]


def latest_entity(tracker: Tracker, entity: str) -> Optional[Any]:
    values = latest_entities(tracker, entity)
    return values[-1] if values else None


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def handoff_events(reason: str, urgent: bool, tracker: Tracker) -> List[EventType]:
    """Mark the conversation as needing a person; urgency never goes down."""
    already_urgent = tracker.get_slot("handoff_priority") == "urgent"
    return [SlotSet("handoff_requested", True), SlotSet("handoff_reason", reason),
            SlotSet("handoff_priority", "urgent" if urgent or already_urgent else "normal")]
