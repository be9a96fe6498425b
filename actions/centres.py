"""Nearest support centres: by place name (any language, spelling mistakes tolerated), by coordinates,
and by service."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import common
from actions.directory import queries
from actions.directory.queries import CentreInfo
from actions.geo import nearest, valid_coordinates
from actions.places import read_place

RESULTS = 3


def format_centre(centre: CentreInfo, km: float, service_names: Dict[str, str]) -> str:
    lines = [f"• {centre.name} — {centre.city}, about {km:,.0f} km away"]
    services = ", ".join(service_names.get(s, s) for s in centre.services)
    lines.append(f"  Services: {services}")
    lines.append(f"  Address: {centre.address}" if centre.address else
                 "  Address: not in our directory yet" + (" (shown at the city centre)"
                                                         if centre.location_precision == "city" else ""))
    if centre.phone:
        lines.append(f"  Phone: {centre.phone}")
    if centre.opening_hours:
        lines.append(f"  Open: {centre.opening_hours}")
    if centre.languages:
        lines.append(f"  Languages: {', '.join(centre.languages)}")
    if not centre.verified:
        lines.append("  ⚠ Not yet verified by Haven staff: check before you travel.")
    return "\n".join(lines)


def format_results(results: Sequence[Tuple[CentreInfo, float]], where: str, service: Optional[str],
                   service_names: Dict[str, str]) -> str:
    what = service_names.get(service, "support centres") if service else "support centres"
    header = f"The nearest places for {what} near {where}:"
    body = "\n".join(format_centre(c, km, service_names) for c, km in results)
    footer = ("\nServices here help everyone, whatever their immigration status."
              if all(c.serves_regardless_of_status for c, _ in results) else "")
    return f"{header}\n{body}{footer}"


def search(session: Session, origin: Tuple[float, float], service: Optional[str],
           country_code: Optional[str]) -> List[Tuple[CentreInfo, float]]:
    """Nearest centres, kept inside the person's country when it has any (crossing borders in a crisis
    is no advice to give lightly)."""
    candidates = queries.centres(session, service=service, country_code=country_code) if country_code else []
    if not candidates:
        candidates = queries.centres(session, service=service)
    return nearest(origin, candidates, lambda c: c.position, limit=RESULTS)


def requested_service(tracker: Tracker, known: Sequence[str]) -> Optional[str]:
    """The service asked for in this message, else the one remembered while we asked where the person is."""
    value = common.latest_entity(tracker, "service_type") or tracker.get_slot("service_type")
    return value if value in known else None


def remember_service(service: Optional[str]) -> List[EventType]:
    """Keep the service while we ask where the person is; forget it once answered."""
    return [SlotSet("service_type", service)]


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
        names = queries.service_names(session)
        service = requested_service(tracker, list(names))
        latitude, longitude = common.latest_entity(tracker, "latitude"), common.latest_entity(tracker, "longitude")
        if latitude is not None or longitude is not None:
            if not valid_coordinates(latitude, longitude):
                dispatcher.utter_message(text="I couldn't read that location. Please share it again, or tell me "
                                              "the name of your town.")
                return []
            results = search(session, (float(latitude), float(longitude)), service, None)
            dispatcher.utter_message(text=format_results(results, "your location", service, names))
            return remember_service(None)

        prefer = tracker.get_slot("host_country")
        entity_values = common.latest_entities(tracker, "city") + common.latest_entities(tracker, "country")
        query = read_place(common.gazetteer(session), common.latest_text(tracker), entity_values, prefer)
        if query.ambiguous:
            options = []
            for match in query.matches:
                country = queries.country_name(session, match.entry.country_code) or match.entry.country_code
                place = queries.place(session, match.entry.id) if match.entry.kind == "place" else None
                label = f"{place.name}, {country}" if place else country
                entity = "city" if match.entry.kind == "place" else "country"
                extra = f', "service_type": "{service}"' if service else ""
                options.append((label, f'/find_support_center{{"{entity}": "{match.entry.id}"{extra}}}'))
            dispatcher.utter_message(text="There is more than one place with that name. Which one do you mean?",
                                     buttons=common.buttons(*options))
            return remember_service(service)
        match = query.found
        if match is None:
            if query.unknown:
                dispatcher.utter_message(
                    text=f"I don't know the place \"{query.unknown}\" yet. Tell me a larger town or city near you, "
                         "or share your location.")
            else:
                dispatcher.utter_message(response="utter_ask_place")
            return remember_service(service)
        if match.entry.kind == "place":
            place = queries.place(session, match.entry.id)
        else:
            place = queries.capital_like_place(session, match.entry.country_code)
        if place is None:
            dispatcher.utter_message(response="utter_ask_place")
            return []
        where = place.name if match.entry.kind == "place" else place.country_name
        results = search(session, (place.latitude, place.longitude), service, place.country_code)
        if not results:
            dispatcher.utter_message(text=f"I have no centre for that service near {where} yet.",
                                     buttons=common.buttons(("Talk to a person", "/request_human")))
        else:
            dispatcher.utter_message(text=format_results(results, where, service, names))
        return remember_service(None)
