"""The return counselling steps, one phase at a time, with a button to go on."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.directory import queries
from actions.directory.queries import Step
from actions.texts import buttons, language_of, t

DEFAULT_PROGRAMME = "avrr"


def phase_to_show(phases: Sequence[Tuple[str, str]], requested: Optional[str]) -> Optional[int]:
    ids = [p for p, _ in phases]
    if requested is None:
        return 0 if ids else None
    return ids.index(requested) if requested in ids else None


def format_phase(number: int, total: int, title: str, steps: Sequence[Step], language: str) -> str:
    lines = [t("utter_txt_phase_header", language, number=number, total=total, title=title)]
    lines += [t("utter_txt_numbered", language, number=i, title=s.title, text=s.text)
              for i, s in enumerate(steps, start=1)]
    return "\n".join(lines)


class ActionReturnSteps(Action):
    def name(self) -> Text:
        return "action_return_steps"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        try:
            with common.directory() as session:
                phases = queries.return_phases(session, DEFAULT_PROGRAMME, language)
                index = phase_to_show(phases, common.latest_entity(tracker, "return_phase"))
                if index is None:
                    index = 0
                if not phases:
                    return common.apologise(dispatcher)
                phase, title = phases[index]
                steps = queries.return_steps(session, DEFAULT_PROGRAMME, phase, language)
        except common.DirectoryUnavailable:
            return common.apologise(dispatcher)
        text = format_phase(index + 1, len(phases), title, steps, language)
        if index + 1 < len(phases):
            next_phase, next_title = phases[index + 1]
            dispatcher.utter_message(text=text, buttons=buttons("utter_txt_next_phase", language, title=next_title,
                                                                phase=next_phase))
        else:
            dispatcher.utter_message(text=text)
            dispatcher.utter_message(response="utter_return_no_phase")
        return []
