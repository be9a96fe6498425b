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
from actions.answers import match_options
from actions.directory import queries
from actions.directory.queries import CentreInfo
from actions.emergency_numbers import HOST_COUNTRIES, where_is_the_person
from actions.gazetteer import Match
from actions.geo import nearest, valid_coordinates
from actions.facts import Facts
from actions.places import PlaceQuery, read_place
from actions.texts import buttons, joined, language_of, t
from bot.safety import PROTECTION_SLOT

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
           country_code: Optional[str], language: str = "en", nationality: Optional[str] = None,
           skip: Sequence[str] = (), limit: int = RESULTS) -> List[Tuple[CentreInfo, float]]:
    """Nearest centres; inside the person's country when it is known (crossing borders in a crisis is no
    advice to give lightly), anywhere for a shared location. Embassies only of the person's nationality;
    `skip`: centres already shown ("another one")."""
    candidates = [c for c in queries.centres(session, service, country_code, language, nationality)
                  if c.id not in skip]
    return nearest(origin, candidates, lambda c: c.position, limit=limit)


def last_search(origin: Tuple[float, float], country_code: Optional[str], where: str, service: Optional[str],
                nationality: Optional[str], shown: Sequence[CentreInfo], seen: Sequence[str] = ()) -> List[EventType]:
    """What was searched and shown (and every centre shown for it so far), for follow-ups ("their phone?",
    "another one")."""
    shown_ids = [c.id for c in shown]
    return [SlotSet("last_search", {"origin": list(origin), "country": country_code, "where": where,
                                    "service": service, "nationality": nationality, "shown": shown_ids,
                                    "seen": [*seen, *(i for i in shown_ids if i not in seen)]})]


def requested_service(tracker: Tracker, known: Sequence[str]) -> Optional[str]:
    """The service asked for in this message, else the one remembered while we asked where the person is."""
    value = common.latest_entity(tracker, "service_type") or tracker.get_slot("service_type")
    return value if value in known else None


def remember_service(service: Optional[str]) -> List[EventType]:
    """Keep the service while we ask where the person is; forget it once answered."""
    return [SlotSet("service_type", service)]


def show_nearest(session: Session, dispatcher: CollectingDispatcher, place: Any, where: str, service: Optional[str],
                 names: Dict[str, str], language: str, nationality: Optional[str] = None) -> List[EventType]:
    """The nearest centres to `place` for the service; when the country has none, say so and show the nearest
    places that help at all. Returns the search remembered for follow-ups."""
    origin = (place.latitude, place.longitude)
    results = search(session, origin, service, place.country_code, language, nationality)
    if not results:
        dispatcher.utter_message(response="utter_no_centre", where=where)
        service, results = None, search(session, origin, None, place.country_code, language)
    if results:
        dispatcher.utter_message(text=format_results(results, where, service, names, language))
    return last_search(origin, place.country_code, where, service, nationality, [c for c, _ in results])


def remember_where(country: Optional[str], place_id: Optional[str]) -> List[EventType]:
    """A place named in a host country is where the person is, for the rest of the conversation: emergency
    numbers, hotline hours and the next search start from it (and the return questions skip the country)."""
    if country not in HOST_COUNTRIES:
        return []
    return [SlotSet("host_country", country), *([SlotSet("person_place", place_id)] if place_id else [])]


def asks_for_others(session: Session, tracker: Tracker) -> bool:
    """The message asks for other or closer places ("anything closer?", "un autre")."""
    options = queries.form_options(session, "centre_details")
    words = [*options.get("others", ()), *options.get("too_far", ())]
    return bool(match_options(common.latest_text(tracker), {"others": words}, names_are_keywords=False))


def chosen_town(match: Optional[Any], choices: Sequence[str], gazetteer: Any) -> Optional[Any]:
    """After "which Tripoli?", a country named alone picks the town of that name there."""
    if match is None or match.entry.kind != "country" or not choices:
        return match
    towns = [gazetteer.by_id[c] for c in choices if c in gazetteer.by_id
             and gazetteer.by_id[c].country_code == match.entry.country_code]
    return Match(towns[0], match.score, match.matched) if len(towns) == 1 else match


def known_whereabouts(session: Session, tracker: Tracker, language: str, facts: Optional[Facts] = None) -> Optional[Any]:
    """Where the person is: the town this message (`facts`) or the conversation names, else the main city of
    the country they are in."""
    place_id = (facts.where_place if facts else None) or tracker.get_slot("person_place")
    country = (facts.where_country if facts else None) or tracker.get_slot("host_country")
    place = queries.place(session, place_id, language) if place_id else None
    if place is not None and country and place.country_code != country:
        place = None  # a town named earlier, in another country than the one this message names
    if place is None and country:
        place = queries.capital_like_place(session, country, language)
    return place


def show_others(session: Session, dispatcher: CollectingDispatcher, searched: Dict[str, Any],
                language: str) -> List[EventType]:
    """The next nearest centres after those shown ("anything closer?", "un autre"): the ones shown were the
    nearest the directory knows; when there is no other, say so and offer a person."""
    origin = tuple(searched["origin"])
    seen = searched.get("seen") or searched["shown"]
    results = search(session, origin, searched.get("service"), searched.get("country"), language,
                     searched.get("nationality"), skip=seen)
    if not results:
        dispatcher.utter_message(text=t("utter_txt_no_other_centre", language, where=searched.get("where") or ""),
                                 buttons=buttons("utter_txt_detail_missing", language))
        return []
    names = queries.service_names(session, language)
    dispatcher.utter_message(text=t("utter_txt_nearest_were_shown", language))
    dispatcher.utter_message(text=format_results(results, searched.get("where") or "", searched.get("service"),
                                                 names, language))
    return last_search(origin, searched.get("country"), searched.get("where") or "", searched.get("service"),
                       searched.get("nationality"), [c for c, _ in results], seen)


def place_to_search_from(session: Session, tracker: Tracker, facts: Facts, prefer: Optional[str]) -> PlaceQuery:
    """Where the person is, as this message says: the town or country they say they are in (not the country
    they come from or whose embassy they need: "the philippine embassy in beirut" searches from Beirut)."""
    gazetteer = common.gazetteer(session)
    if facts.where_place or facts.where_country:
        return read_place(gazetteer, "", [facts.where_place or facts.where_country], prefer)
    if (facts.origin or facts.nationality) and not facts.ambiguous_where:
        return PlaceQuery()  # only where they come from: where they are comes from the conversation
    entity_values = common.places_named(tracker, facts)
    if facts.not_here and not entity_values:
        return PlaceQuery()  # only a town they are not in or cannot reach ("tunis c loin"): the known one
    return read_place(gazetteer, common.latest_text(tracker), entity_values, prefer)


def nearby(session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, language: str,
           service: str) -> Optional[List[EventType]]:
    """The nearest centres for `service` when the message or the conversation says in which town the person
    is ("my tooth hurts, where is a clinic, I am in Beirut"; "food in Misrata"); None when it does not, and
    nothing is said then."""
    facts = common.message_facts(session, tracker)
    place_id = facts.where_place or tracker.get_slot("person_place")
    place = queries.place(session, place_id, language) if place_id else None
    if place is None:
        return None
    names = queries.service_names(session, language)
    searched = show_nearest(session, dispatcher, place, place.name, service, names, language)
    return searched + remember_where(place.country_code, place.id)


class ActionCashAssistance(Action):
    """Cash or food: the nearest places that give it when the town is known, else what exists and an offer."""

    def name(self) -> Text:
        return "action_cash_assistance"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        try:
            with common.directory() as session:
                shown = nearby(session, dispatcher, tracker, language_of(tracker), "cash_food")
                if shown is not None:
                    return shown
        except common.DirectoryUnavailable:
            pass
        dispatcher.utter_message(response="utter_cash_assistance")
        dispatcher.utter_message(response="utter_ask_place")
        return remember_service("cash_food")  # the town, said next, gets the places that give cash or food


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
        facts = common.message_facts(session, tracker)
        nationality = facts.nationality or tracker.get_slot("nationality") or tracker.get_slot("origin_country")
        remembered = [SlotSet("nationality", facts.nationality)] if facts.nationality else []
        if service == "consular" and tracker.get_slot(PROTECTION_SLOT):
            # Someone who fears their own state is never sent to its embassy (docs/SAFETY.md, rule 1).
            dispatcher.utter_message(response="utter_lost_documents_protection")
            return remember_service(None)
        if service == "consular" and nationality is None:
            dispatcher.utter_message(response="utter_ask_nationality")
            return remember_service(service)
        latitude, longitude = common.latest_entity(tracker, "latitude"), common.latest_entity(tracker, "longitude")
        if latitude is not None or longitude is not None:
            if not valid_coordinates(latitude, longitude):
                dispatcher.utter_message(response="utter_bad_location")
                return remember_service(service)
            origin = (float(latitude), float(longitude))
            results = search(session, origin, service, None, language, nationality)
            where = t("utter_txt_your_location", language)
            dispatcher.utter_message(text=format_results(results, where, service, names, language))
            return remember_service(None) + remembered + last_search(origin, None, where, service, nationality,
                                                                      [c for c, _ in results])

        searched = tracker.get_slot("last_search") or {}
        if service is None and not facts.known() and searched.get("shown") and asks_for_others(session, tracker):
            # "il y a plus près ?" right after a search: the next nearest, not the same list again
            return show_others(session, dispatcher, searched, language)
        prefer = tracker.get_slot("host_country")
        query = place_to_search_from(session, tracker, facts, prefer)
        if query.ambiguous:
            dispatcher.utter_message(response="utter_which_place",
                                     buttons=self._choices(session, query.matches, service, language))
            # A country typed next ("the one in Lebanon", "libya") chooses between these towns.
            return remember_service(service) + [SlotSet("last_search", {
                **(tracker.get_slot("last_search") or {}), "choices": [m.entry.id for m in query.matches]})]
        match = chosen_town(query.found, (tracker.get_slot("last_search") or {}).get("choices") or [],
                            common.gazetteer(session))
        if match is None and not query.unknown:
            # No place in this message: where the conversation says the person is (a town named earlier, their
            # country's main city), rather than asking again. A message that names only where the person
            # comes from ("where is ghana embassy for here") is not read for where they are.
            only_origin = bool(facts.origin or facts.nationality) and not facts.ambiguous_where
            known = known_whereabouts(session, tracker, language) if only_origin else \
                where_is_the_person(session, tracker, language)[1]
            if known is not None:
                searched = show_nearest(session, dispatcher, known, known.name, service, names, language, nationality)
                return remember_service(None) + remembered + searched
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
        searched = show_nearest(session, dispatcher, place, where, service, names, language, nationality)
        return remember_service(None) + remembered + searched + remember_where(
            place.country_code, match.entry.id if match.entry.kind == "place" else None)

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
