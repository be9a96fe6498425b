"""Lost or kept papers: what the person can do, then their own embassy in the town where they are, when the
conversation says both ("jsui ivoirien a tunis jai perdu mon passpor, ambassade cé ou")."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import common
from actions.centres import known_whereabouts, show_nearest
from actions.directory import queries
from actions.texts import language_of
from bot.safety import PROTECTION_SLOT


def own_embassy(session: Session, dispatcher: CollectingDispatcher, tracker: Tracker,
                language: str) -> Optional[List[EventType]]:
    """The nearest embassy or consulate of the person's country to where they are; None (nothing said) when
    either is unknown, or when the person fears their own state (never sent to its embassy)."""
    if tracker.get_slot(PROTECTION_SLOT):
        return None
    facts = common.message_facts(session, tracker)
    nationality = facts.nationality or tracker.get_slot("nationality") or facts.origin \
        or tracker.get_slot("origin_country")
    place = known_whereabouts(session, tracker, language, facts)
    if nationality is None or place is None or not queries.centres(session, "consular", place.country_code,
                                                                  language, nationality):
        return None
    names = queries.service_names(session, language)
    searched = show_nearest(session, dispatcher, place, place.name, "consular", names, language, nationality)
    return searched + [SlotSet("nationality", nationality)]


class ActionLostDocuments(Action):
    def name(self) -> Text:
        return "action_lost_documents"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_lost_documents")
        try:
            with common.directory() as session:
                return own_embassy(session, dispatcher, tracker, language_of(tracker)) or []
        except common.DirectoryUnavailable:
            return []  # the answer above already says what to do and offers the search
