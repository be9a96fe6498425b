"""Nearest support centres: by place name (any language, spelling mistakes tolerated), by coordinates,
and by service."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import common
from actions.directory import queries
from actions.directory.queries import CentreInfo
from actions.emergency_numbers import HOST_COUNTRIES, where_is_the_person
from actions.geo import nearest, valid_coordinates
from actions.places import read_place
from actions.texts import joined, language_of, t

RESULTS = 3


def format_centre(centre: CentreInfo, km: float, service_names: Dict[str, str], language: str) -> str:
    lines = [t("utter_txt_centre_line", language, name=centre.name, city=centre.city, km=f"{km:,.0f}"),
             t("utter_txt_centre_services", language,
               services=joined([service_names.get(s, s) for s in centre.services], language))]
    if centre.address:
        lines.append(t("utter_txt_centre_address", language, address=centre.address))
    elif centre.location_precision == "city":
        lines.append(t("utter_txt_centre_no_address_city", language))
    else:
        lines.append(t("utter_txt_centre_no_address", language))
    if centre.phone:
        lines.append(t("utter_txt_centre_phone", language, phone=centre.phone))
    if centre.opening_hours:
        lines.append(t("utter_txt_centre_hours", language, hours=centre.opening_hours))
    if centre.languages:
        lines.append(t("utter_txt_centre_languages", language, languages=joined(list(centre.languages), language)))
    if not centre.verified:
        lines.append(t("utter_txt_centre_unverified", language))
    return "\n".join(lines)


def format_results(results: Sequence[Tuple[CentreInfo, float]], where: str, service: Optional[str],
                   service_names: Dict[str, str], language: str) -> str:
    what = service_names.get(service, "") if service else ""
    header = t("utter_txt_centres_header", language, what=what or t("utter_txt_any_centre", language), where=where)
    lines = [header, *(format_centre(c, km, service_names, language) for c, km in results)]
    if all(c.serves_regardless_of_status for c, _ in results):
        lines.append(t("utter_txt_regardless_of_status", language))
    return "\n".join(lines)


def search(session: Session, origin: Tuple[float, float], service: Optional[str],
           country_code: Optional[str], language: str = "en") -> List[Tuple[CentreInfo, float]]:
    """Nearest centres; inside the person's country when it is known (crossing borders in a crisis is no
    advice to give lightly), anywhere for a shared location."""
    candidates = queries.centres(session, service, country_code, language)
    return nearest(origin, candidates, lambda c: c.position, limit=RESULTS)


def requested_service(tracker: Tracker, known: Sequence[str]) -> Optional[str]:
    """The service asked for in this message, else the one remembered while we asked where the person is."""
    value = common.latest_entity(tracker, "service_type") or tracker.get_slot("service_type")
    return value if value in known else None


def remember_service(service: Optional[str]) -> List[EventType]:
    """Keep the service while we ask where the person is; forget it once answered."""
    return [SlotSet("service_type", service)]


def show_nearest(session: Session, dispatcher: CollectingDispatcher, place: Any, where: str, service: Optional[str],
                 names: Dict[str, str], language: str) -> None:
    """The nearest centres to `place` for the service; when the country has none, say so and show the nearest
    places that help at all."""
    origin = (place.latitude, place.longitude)
    results = search(session, origin, service, place.country_code, language)
    if not results:
        dispatcher.utter_message(response="utter_no_centre", where=where)
        service, results = None, search(session, origin, None, place.country_code, language)
    if results:
        dispatcher.utter_message(text=format_results(results, where, service, names, language))


def remember_where(country: Optional[str], place_id: Optional[str]) -> List[EventType]:
    """A place named in a host country is where the person is, for the rest of the conversation: emergency
    numbers, hotline hours and the next search start from it (and the return questions skip the country)."""
    if country not in HOST_COUNTRIES:
        return []
    return [SlotSet("host_country", country), *([SlotSet("person_place", place_id)] if place_id else [])]


class ActionFindCentres(Action):
    def name(self) -> Text:
        return "action_find_centres"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        try:
            with common.directory() as session:
                return self._answer(session, dispatcher, tracker)
        except common.DirectoryUnavailable:
            return common.apologise(dispatcher)

    def _answer(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        language = language_of(tracker)
        names = queries.service_names(session, language)
        service = requested_service(tracker, list(names))
        latitude, longitude = common.latest_entity(tracker, "latitude"), common.latest_entity(tracker, "longitude")
        if latitude is not None or longitude is not None:
            if not valid_coordinates(latitude, longitude):
                dispatcher.utter_message(response="utter_bad_location")
                return remember_service(service)
            results = search(session, (float(latitude), float(longitude)), service, None, language)
            dispatcher.utter_message(text=format_results(results, t("utter_txt_your_location", language), service,
                                                         names, language))
            return remember_service(None)

        prefer = tracker.get_slot("host_country")
        entity_values = common.latest_entities(tracker, "city") + common.latest_entities(tracker, "country")
        query = read_place(common.gazetteer(session), common.latest_text(tracker), entity_values, prefer)
        if query.ambiguous:
            dispatcher.utter_message(response="utter_which_place",
                                     buttons=self._choices(session, query.matches, service, language))
            return remember_service(service)
        match = query.found
        if match is None and not query.unknown:
            # No place in this message: where the conversation says the person is (a town named earlier, their
            # country's main city), rather than asking again.
            _, known = where_is_the_person(session, tracker, language)
            if known is not None:
                show_nearest(session, dispatcher, known, known.name, service, names, language)
                return remember_service(None)
        if match is None:
            if query.unknown:
                dispatcher.utter_message(response="utter_unknown_place", place=query.unknown)
            else:
                dispatcher.utter_message(response="utter_ask_place")
            return remember_service(service)
        if match.entry.kind == "place":
            place = queries.place(session, match.entry.id, language)
        else:
            place = queries.capital_like_place(session, match.entry.country_code, language)
        if place is None:
            dispatcher.utter_message(response="utter_ask_place")
            return remember_service(service)
        where = place.name if match.entry.kind == "place" else place.country_name
        show_nearest(session, dispatcher, place, where, service, names, language)
        return remember_service(None) + remember_where(place.country_code,
                                                       match.entry.id if match.entry.kind == "place" else None)

    @staticmethod
    def _choices(session: Session, matches: Sequence[Any], service: Optional[str], language: str) -> List[Dict[str, str]]:
        """One button per place of that name, keeping the service asked for."""
        choices = []
        for match in matches:
            entity = "city" if match.entry.kind == "place" else "country"
            country = queries.country_name(session, match.entry.country_code, language) or match.entry.country_code
            place = queries.place(session, match.entry.id, language) if entity == "city" else None
            payload = {entity: match.entry.id, **({"service_type": service} if service else {})}
            choices.append({"title": f"{place.name}, {country}" if place else country,
                            "payload": "/find_support_center" + json.dumps(payload)})
        return choices
