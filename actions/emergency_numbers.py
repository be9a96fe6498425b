"""Emergency numbers for where the person is (or for every host country when that is unknown): shared by
the urgent answers and by the hotline's out-of-hours answer."""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions import common
from actions.directory import queries
from actions.places import read_place
from actions.texts import joined, t

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
