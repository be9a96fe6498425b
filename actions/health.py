"""Health questions: the emergency numbers come first, because a health question can be an emergency the
model did not recognise as one ("my child is not breathing" read as ask_health); then where to find care."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import common
from actions.centres import nearby
from actions.emergency_numbers import number_lines, where_is_the_person
from actions.texts import language_of, t


def health_numbers(session: Session, tracker: Tracker, language: str) -> str:
    """"If a life is in danger, call now" and the numbers for where the person is (every host country when
    that is unknown)."""
    country, _ = where_is_the_person(session, tracker, language)
    return "\n".join([t("utter_txt_health_opening", language), *number_lines(session, country, language)])


class ActionHealth(Action):
    def name(self) -> Text:
        return "action_health"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        try:
            with common.directory() as session:
                dispatcher.utter_message(text=health_numbers(session, tracker, language))
                shown = nearby(session, dispatcher, tracker, language, "health")
                if shown is not None:
                    return shown
        except common.DirectoryUnavailable:
            pass  # utter_health below still tells the person to call an ambulance in an emergency
        dispatcher.utter_message(response="utter_health")
        return []
