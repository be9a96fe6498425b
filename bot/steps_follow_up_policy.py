"""A typed "next" right after a phase of the return steps was shown goes on to the next phase.

The return steps are shown one phase at a time with a button for the next one; people type instead: "la suite",
"ok next", "the journey", "et apré kan jarive o pays". Read alone, such a message is a "no", a "yes" or a
fact given in passing; read right after a phase, it asks for the next one (or the one it names). So, at the
first prediction of the turn, when the previous answer was a phase of the steps (`return_phase_shown`), no
form is open, the message is not a safety intent and the classifier did not take it for a need of its own
(it was unsure, or took it for a greeting, a yes or no, a fact, a follow-up: "w ba3dein?"), and it names the next phase or a phase in
the editors' words (`options.return_steps_follow_up` in data/directory/form_questions.yml), this policy
predicts `action_return_steps`, which reads the same words (actions/return_steps.typed_phase)."""
from __future__ import annotations

import logging
from typing import Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME as NLU_FALLBACK
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SQLAlchemyError

from bot.follow_up_policy import AnswerFollowUpPolicy
from bot.service_request import FOLLOW_UP_INTENT, SAFETY_INTENTS, WRAPPING_INTENTS

logger = logging.getLogger(__name__)
STEPS_ACTION = "action_return_steps"
#: The classifier's own intent for the steps: the action reads the typed phase then too.
STEPS_INTENT = "ask_return_steps"


def previous_answer(tracker: DialogueStateTracker) -> Optional[str]:
    """The last action before the person's latest message (listening aside)."""
    seen_user = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            seen_user = True
        elif seen_user and isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name
    return None


def names_next_phase(text: str, shown: Optional[str]) -> bool:
    """The message asks for the next phase or names one, in the directory's words; no if it cannot be read."""
    from actions.directory import queries
    from actions.directory.session import open_session
    from actions.return_steps import DEFAULT_PROGRAMME, FOLLOW_UP_WORDS, typed_phase

    try:
        with open_session() as session:
            phases = [p for p, _ in queries.return_phases(session, DEFAULT_PROGRAMME)]
            return typed_phase(text, shown, phases, queries.form_options(session, FOLLOW_UP_WORDS)) is not None
    except SQLAlchemyError as error:
        logger.warning("Directory unavailable, follow-up on the return steps not read: %s", error)
        return False


def is_steps_follow_up(tracker: DialogueStateTracker) -> bool:
    latest = tracker.latest_message
    shown = tracker.get_slot("return_phase_shown")
    if latest is None or not shown or tracker.active_loop_name or previous_answer(tracker) != STEPS_ACTION:
        return False
    parse_data = latest.parse_data or {}
    intent = (parse_data.get("intent") or {}).get("name")
    ranking = parse_data.get("intent_ranking") or []
    unsure = bool(ranking) and ranking[0].get("name") == NLU_FALLBACK
    if intent in SAFETY_INTENTS or not (unsure or intent in WRAPPING_INTENTS | {FOLLOW_UP_INTENT}):
        return False  # a need of its own, or the steps' own intent (its rule runs the action)
    return names_next_phase(latest.text or "", shown)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class StepsFollowUpPolicy(AnswerFollowUpPolicy):
    """Predicts `action_return_steps` for a typed "next" right after a phase was shown, then listening."""

    answer_action = STEPS_ACTION

    def is_follow_up(self, tracker: DialogueStateTracker) -> bool:
        return is_steps_follow_up(tracker)
