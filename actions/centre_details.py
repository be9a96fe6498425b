"""Follow-ups on the centres just shown: "their phone?", "where exactly?", "when are they open?", "anything
closer?", "another one". Answered from the directory for those centres (the last search, remembered in the
`last_search` slot); a detail the directory does not have is said to be missing, with a person offered."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import common
from actions.answers import match_options
from actions.centres import known_whereabouts, remember_where, search, show_nearest, show_others
from actions.directory import queries
from actions.directory.queries import CentreInfo
from actions.texts import buttons, language_of, t

#: What a follow-up asks about (form_questions.yml `centre_details`), and the centre field that answers it.
DETAIL_FIELDS = {"phone": "phone", "address": "address", "hours": "opening_hours", "languages": "languages"}
#: Each detail's line: (the directory has it, it does not).
DETAIL_TEXTS = {"phone": ("utter_txt_detail_phone", "utter_txt_detail_no_phone"),
                "address": ("utter_txt_detail_address", "utter_txt_detail_no_address"),
                "hours": ("utter_txt_detail_hours", "utter_txt_detail_no_hours"),
                "languages": ("utter_txt_detail_languages", "utter_txt_detail_no_languages")}


def asked_details(text: str, words: Dict[str, Sequence[str]]) -> List[str]:
    """The details asked for, in the order of DETAIL_FIELDS, after "others" for "closer" / "another one" /
    "too far" ("Tripoli is far, nothing closer? how do I call them?" asks both); a follow-up that names none
    gets every detail ("tell me more about them")."""
    found = match_options(text, words, names_are_keywords=False)
    details = [d for d in DETAIL_FIELDS if d in found]
    if "others" in found or "too_far" in found:
        return ["others", *details]
    return details or ["phone", "address", "hours"]


def detail_lines(centres: Sequence[CentreInfo], details: Sequence[str], language: str) -> List[str]:
    """One line per centre and detail: the value, or that the directory does not have it."""
    lines = []
    for centre in centres:
        for detail in details:
            value = getattr(centre, DETAIL_FIELDS[detail])
            if isinstance(value, tuple):
                value = ", ".join(value)
            key = DETAIL_TEXTS[detail][0 if value else 1]
            lines.append(t(key, language, name=centre.name, value=value or ""))
    return lines


def searched_from(session: Session, facts: Any, searched: Dict[str, Any], language: str) -> bool:
    """The town the message names is the one the centres were just searched from: not a search elsewhere."""
    place = queries.place(session, facts.where_place, language) if facts.where_place else None
    origin = searched.get("origin") or ()
    return place is not None and len(origin) == 2 and \
        abs(place.latitude - origin[0]) < 1e-3 and abs(place.longitude - origin[1]) < 1e-3


class ActionCentreDetails(Action):
    def name(self) -> Text:
        return "action_centre_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        try:
            with common.directory() as session:
                return self._answer(session, dispatcher, tracker)
        except common.DirectoryUnavailable:
            return common.apologise(dispatcher)

    def _answer(self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        language = language_of(tracker)
        searched: Optional[Dict[str, Any]] = tracker.get_slot("last_search")
        if not searched or not searched.get("shown"):
            dispatcher.utter_message(response="utter_ask_place")
            return []
        facts = common.message_facts(session, tracker)
        details = asked_details(common.latest_text(tracker), queries.form_options(session, "centre_details"))
        if (facts.where_place or facts.where_country) and not searched_from(session, facts, searched, language):
            # "et à Alexandrie ?"; "anything closer? I'm staying in Zarqa"
            return self._elsewhere(session, dispatcher, tracker, facts, searched, language, details[0] == "others")
        shown = queries.centres_by_id(session, searched["shown"], language)
        events: List[EventType] = []
        if details[0] == "others":  # "c tro loin zarzis, ya rien a sfax?" (searched from Sfax): closer ones
            events, details = show_others(session, dispatcher, searched, language), details[1:]
            if not details:
                return events
        lines = detail_lines(shown, details, language)
        missing = any(not getattr(c, DETAIL_FIELDS[d]) for c in shown for d in details)
        if missing:
            lines.append(t("utter_txt_detail_missing", language))
        dispatcher.utter_message(text="\n".join(lines),
                                 buttons=buttons("utter_txt_detail_missing", language) if missing else [])
        return events

    @staticmethod
    def _elsewhere(session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, facts: Any,
                   searched: Dict[str, Any], language: str, closer_asked: bool = False) -> List[EventType]:
        """The same kind of help in the town or country the follow-up names. Asked for something closer to
        that town, when the nearest there are the ones already shown, say that the directory has no other
        (and offer a person) instead of showing the same centres again."""
        place = known_whereabouts(session, tracker, language, facts)
        if place is None:
            dispatcher.utter_message(response="utter_ask_place")
            return []
        names = queries.service_names(session, language)
        where = place.name if facts.where_place else place.country_name
        moved = remember_where(place.country_code, facts.where_place)
        if closer_asked and not search(session, (place.latitude, place.longitude), searched.get("service"),
                                       place.country_code, language, searched.get("nationality"),
                                       skip=searched.get("seen") or searched["shown"]):
            dispatcher.utter_message(text=t("utter_txt_no_other_centre", language, where=where),
                                     buttons=buttons("utter_txt_detail_missing", language))
            return moved
        return show_nearest(session, dispatcher, place, where, searched.get("service"), names, language,
                            searched.get("nationality")) + moved
