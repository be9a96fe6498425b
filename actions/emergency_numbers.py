"""Emergency numbers for where the person is (or for every host country when that is unknown): shared by
the urgent answers and by the hotline's out-of-hours answer."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions import common
from actions.directory import queries
from actions.places import read_place
from actions.texts import joined, t

HOST_COUNTRIES = common.HOST_COUNTRIES


def format_numbers(numbers: List[Tuple[str, str]], language: str) -> str:
    return joined([t("utter_txt_emergency_number", language, service=service, number=number)
                   for service, number in numbers], language)


def where_is_the_person(session: Session, tracker: Tracker, language: str) -> Tuple[Optional[str], Optional[Any]]:
    """(country code, place) from this message, else from what the conversation already knows (the place the
    person said they are in, their country)."""
    facts = common.message_facts(session, tracker)
    if facts.where_place:  # where the person's words place them ("why tripoli? i am in misrata")
        place = queries.place(session, facts.where_place, language)
        if place is not None:
            return place.country_code, place
    entity_values = common.places_named(tracker, facts)
    if facts.not_here and not entity_values:  # only places they are not in or cannot reach ("tunis c loin")
        return known_location(session, tracker, language)
    prefer = tracker.get_slot("host_country") or tracker.get_slot("work_country")
    query = read_place(common.gazetteer(session), common.latest_text(tracker), entity_values, prefer)
    match = query.found
    if match is not None:
        place = (queries.place(session, match.entry.id, language) if match.entry.kind == "place"
                 else queries.capital_like_place(session, match.entry.country_code, language))
        return match.entry.country_code, place
    return known_location(session, tracker, language)


def known_location(session: Session, tracker: Tracker, language: str) -> Tuple[Optional[str], Optional[Any]]:
    """(country code, place) the conversation already knows: the place the person said they are in, else the
    latest host-country place they named, else their host country's main town."""
    prefer = tracker.get_slot("host_country") or tracker.get_slot("work_country")
    known_place = tracker.get_slot("person_place")
    place = queries.place(session, known_place, language) if known_place else None
    if place is not None and (prefer is None or place.country_code == prefer):
        return place.country_code, place
    said_country, said_place = place_said_earlier(session, tracker, language)
    if said_country is not None and (prefer is None or said_country == prefer):
        return said_country, said_place
    if prefer:
        return prefer, queries.capital_like_place(session, prefer, language)
    return None, None


def person_location(session: Session, tracker: Tracker, language: str) -> Tuple[Optional[str], Optional[Any]]:
    """(country, place) where the person is: a place in a host country named now or known from the
    conversation. A country that is not a host country (the one they fled, their nationality: "i live with 6
    bangladeshi friends") is not where they are: the place known from the conversation stands."""
    country, place = where_is_the_person(session, tracker, language)
    if country is not None and country not in HOST_COUNTRIES:
        return known_location(session, tracker, language)
    return country, place


#: Messages whose country is where the person wants to go, not where they are.
GOING_TO = {"request_return", "fear_of_return", "ask_return_steps", "ask_reintegration"}


def user_messages_before_this_one(tracker: Tracker) -> List[Dict[str, Any]]:
    """The parse data of the person's earlier messages, latest first."""
    events = [e for e in tracker.events if e.get("event") == "user"]
    return [e.get("parse_data") or {} for e in reversed(events[:-1])]


def place_said_earlier(session: Session, tracker: Tracker, language: str) -> Tuple[Optional[str], Optional[Any]]:
    """The latest place in a host country the person named in an earlier message, whatever that message was
    about ("a clinic in Sfax?" misunderstood, then "they are attacking us"). A country counts only when the
    message was not about going back there."""
    gazetteer = common.gazetteer(session)
    for parse in user_messages_before_this_one(tracker):
        entities = parse.get("entities") or []
        cities = [e.get("value") for e in entities if e.get("entity") == "city"]
        countries = [e.get("value") for e in entities if e.get("entity") == "country"]
        if (parse.get("intent") or {}).get("name") in GOING_TO:
            countries = []
        if not cities and not countries:
            continue
        query = read_place(gazetteer, "", cities + countries)
        if query.ambiguous:
            return None, None  # the latest place named is unclear: not an older one
        match = query.found
        if match is None or match.entry.country_code not in HOST_COUNTRIES:
            continue
        place = (queries.place(session, match.entry.id, language) if match.entry.kind == "place"
                 else queries.capital_like_place(session, match.entry.country_code, language))
        return match.entry.country_code, place
    return None, None


def number_lines(session: Session, country: Optional[str], language: str) -> List[str]:
    """The numbers for `country`, or a line per host country (and a request for the town) when unknown."""
    if country is None:
        lines = [t("utter_txt_emergency_numbers_all", language)]
        for code in HOST_COUNTRIES:
            numbers = queries.emergency_numbers(session, code, language)
            lines.append(t("utter_txt_emergency_country_line", language,
                           country=queries.country_name(session, code, language) or code,
                           numbers=format_numbers(numbers, language) if numbers
                           else t("utter_txt_no_checked_number", language)))
        lines.append(t("utter_txt_tell_town", language))
        return lines
    name = queries.country_name(session, country, language) or country
    numbers = queries.emergency_numbers(session, country, language)
    return [t("utter_txt_emergency_numbers", language, country=name, numbers=format_numbers(numbers, language))
            if numbers else t("utter_txt_no_emergency_number", language, country=name)]
