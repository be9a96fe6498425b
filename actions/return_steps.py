"""The return counselling steps, one phase at a time, with a button to go on."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.directory import queries
from actions.directory.queries import Step

DEFAULT_PROGRAMME = "avrr"


def phase_to_show(phases: Sequence[Tuple[str, str]], requested: Optional[str]) -> Optional[int]:
    ids = [p for p, _ in phases]
    if requested is None:
        return 0 if ids else None
    return ids.index(requested) if requested in ids else None


def format_phase(number: int, total: int, title: str, steps: Sequence[Step]) -> str:
    lines = [f"Step {number} of {total} — {title}:"]
    lines += [f"{i}. {s.title}: {s.text}" for i, s in enumerate(steps, start=1)]
    return "\n".join(lines)


class ActionReturnSteps(Action):
    def name(self) -> Text:
        return "action_return_steps"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        try:
            with common.directory() as session:
                phases = queries.return_phases(session, DEFAULT_PROGRAMME)
                index = phase_to_show(phases, common.latest_entity(tracker, "return_phase"))
                if index is None:
                    index = 0
                if not phases:
                    return common.apologise(dispatcher)
                phase, title = phases[index]
                steps = queries.return_steps(session, DEFAULT_PROGRAMME, phase)
        except common.DirectoryUnavailable:
            return common.apologise(dispatcher)
        text = format_phase(index + 1, len(phases), title, steps)
        if index + 1 < len(phases):
            next_phase, next_title = phases[index + 1]
            payload = "/ask_return_steps" + json.dumps({"return_phase": next_phase})
            dispatcher.utter_message(text=text, buttons=common.buttons((f"Next: {next_title}", payload),
                                                                       ("Talk to a person", "/request_human")))
        else:
            dispatcher.utter_message(text=text)
            dispatcher.utter_message(response="utter_return_no_phase")
        return []
