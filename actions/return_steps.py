"""The return counselling steps, one phase at a time, with a button to go on (or typed words: "la suite",
"the journey": `typed_phase`)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.answers import match_options
from actions.directory import queries
from actions.directory.queries import Step
from actions.texts import buttons, language_of, t

DEFAULT_PROGRAMME = "avrr"


#: Which phase was shown last: "la suite", "next" go on from it (bot/steps_follow_up_policy.py).
SHOWN_SLOT = "return_phase_shown"
#: The editors' words for the next phase and for each phase (data/directory/form_questions.yml).
FOLLOW_UP_WORDS = "return_steps_follow_up"
NEXT = "next"


def typed_phase(text: str, shown: Optional[str], phase_ids: Sequence[str],
                words: Dict[str, Sequence[str]]) -> Optional[str]:
    """The phase a typed message asks for: one named by its words ("le voyage"), or the one after the phase
    shown last ("la suite", "next"); None if it names neither (or is a button's payload)."""
    if not text or text.startswith("/"):
        return None
    for found in match_options(text, words, names_are_keywords=False):
        if found in phase_ids:
            return found
        if found == NEXT and shown in phase_ids:
            return phase_ids[min(list(phase_ids).index(shown) + 1, len(phase_ids) - 1)]
    return None


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
                requested = common.latest_entity(tracker, "return_phase") or typed_phase(
                    common.latest_text(tracker), tracker.get_slot(SHOWN_SLOT), [p for p, _ in phases],
                    queries.form_options(session, FOLLOW_UP_WORDS))
                index = phase_to_show(phases, requested)
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
        return [SlotSet(SHOWN_SLOT, phase)]
