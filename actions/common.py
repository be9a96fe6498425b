"""What every action shares: opening the directory safely, the gazetteer, the user's latest entities."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.directory import queries
from actions.directory.cache import per_version
from actions.directory.session import open_session
from actions.facts import Facts, mentions_of, read_facts
from actions.gazetteer import Gazetteer
from actions.geo import nearest, valid_coordinates

logger = logging.getLogger(__name__)
SERVICE_UNAVAILABLE = "utter_service_unavailable"
#: Intents that must never be taken as an answer to a form question: they are answered first.
INTERRUPTING_INTENTS = {"emergency", "report_exploitation", "fear_of_return", "request_human", "ask_privacy",
                        "forget_me", "bot_challenge", "out_of_scope", "nlu_fallback"}
#: Interrupting intents still answered first when the message also says "stop" ("stop, he is hitting me"):
#: only a message the NLU could not place (out of scope, low confidence) is taken as leaving a form.
ANSWERED_FIRST = INTERRUPTING_INTENTS - {"out_of_scope", "nlu_fallback"}
#: How far a shared location may be from the nearest known place for that place's country to be used.
NEARBY_KM = 300.0


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


@per_version
def gazetteer(session: Session) -> Gazetteer:
    """Built once per loaded directory (every country and place name, normalised): it only reads."""
    return Gazetteer(queries.gazetteer_entries(session))


#: Where people are stranded (countries.csv role "host"): a town or country there is where the person is unless
#: their words say otherwise (actions/facts.py).
HOST_COUNTRIES = ("LY", "EG", "TN", "LB", "JO")


def facts_in(session: Session, text: str, entities: List[Dict[str, Any]]) -> Facts:
    """Who is where in a message: each town and country named, in its role (actions/facts.py)."""
    return read_facts(gazetteer(session), text, mentions_of(entities, text),
                      queries.form_options(session, "place_roles"), queries.form_options(session, "nationality"),
                      HOST_COUNTRIES)


def message_facts(session: Session, tracker: Tracker) -> Facts:
    """Who is where in the latest message."""
    return facts_in(session, latest_text(tracker), tracker.latest_message.get("entities") or [])


def latest_entities(tracker: Tracker, entity: str) -> List[Any]:
    return [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]


def places_named(tracker: Tracker, facts: Facts) -> List[Any]:
    """The towns and countries the latest message names, less those the person says they are not in, are far
    from or cannot reach (`facts.not_here`: "tunis c loin")."""
    from bot.normalise import normalise

    return [value for value in latest_entities(tracker, "city") + latest_entities(tracker, "country")
            if normalise(str(value)) not in facts.not_here]


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


def location_shared(tracker: Tracker) -> bool:
    """The latest message carries a location (the widget's "share my location", WhatsApp's location)."""
    return bool(latest_entities(tracker, "latitude") or latest_entities(tracker, "longitude"))


def latest_location(tracker: Tracker) -> Optional[Tuple[float, float]]:
    """The shared (latitude, longitude), or None when there is none or it is not a valid position."""
    latitude, longitude = latest_entity(tracker, "latitude"), latest_entity(tracker, "longitude")
    if not valid_coordinates(latitude, longitude):
        return None
    return float(latitude), float(longitude)


def country_at(session: Session, position: Tuple[float, float], within_km: float = NEARBY_KM) -> Optional[str]:
    """The country of the known place nearest to `position`, or None when none is within `within_km`: the
    directory has no borders, and a guess far from every known place is worse than asking."""
    found = nearest(position, queries.places(session), lambda p: (p.latitude, p.longitude), limit=1)
    if not found or found[0][1] > within_km:
        return None
    return found[0][0].country_code
