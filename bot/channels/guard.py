"""The promise that nobody is met with silence: if a turn produced no answer, or one of Haven's custom
actions failed (action server or database down), the user gets an apology and the hotline route.

Rasa logs a failed remote action and carries on without its events, so a failure shows in the tracker
as a custom action followed directly by the next action with nothing in between. Every Haven action
returns at least one event, so that pattern means failure.

When the failed turn asked for a person (talk to a person, an emergency, exploitation), the apology is not
"write 'talk to a person'" (the step that just failed): the channel records the handoff itself and gives
the emergency numbers it can (bot.channels.fallback_handoff)."""
from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set

from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import fallback_handoff
from bot.tracker_store import just_saved

logger = logging.getLogger(__name__)
APOLOGY_RESPONSE = "utter_service_unavailable"
#: When nothing failed but Rasa's core fallback ran (no policy was sure what to do next; its `utter_default`
#: is not a Haven response, so it says nothing), Haven did not understand: ask for other words, don't claim
#: to be broken.
UNSURE_RESPONSE = "utter_rephrase"
CORE_FALLBACK = "action_default_fallback"
#: Default actions of Rasa's that may legitimately return nothing.
_SILENT_OK = {"action_listen", "action_extract_slots"}


def custom_action_names(agent: Agent) -> Set[str]:
    domain = agent.domain
    if domain is None:
        return set()
    names = {a for a in domain.user_actions if not a.startswith("utter_")} | set(domain.form_names)
    return names - _SILENT_OK


def events_of_last_turn(events: Sequence[Event]) -> List[Event]:
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            return list(events[index + 1:])
    return []


def failed_actions(turn: Sequence[Event], custom: Set[str]) -> List[str]:
    """Custom actions of the turn that left no event behind."""
    failed = []
    for current, following in zip(turn, list(turn[1:]) + [None]):
        if isinstance(current, ActionExecuted) and current.action_name in custom:
            if following is None or isinstance(following, ActionExecuted):
                failed.append(current.action_name)
    return failed


async def turn_tracker(agent: Agent, sender_id: str,
                       message_id: Optional[str] = None) -> Optional[DialogueStateTracker]:
    """The conversation after the turn of `message_id`: the tracker Rasa has just saved when the store
    remembers it (bot.tracker_store), else read back from the store."""
    tracker = just_saved(agent.tracker_store, sender_id, message_id)
    if tracker is None and agent.tracker_store is not None:
        tracker = await agent.tracker_store.retrieve(sender_id)
    return tracker


async def needs_apology(agent: Agent, sender_id: str, message_id: Optional[str] = None,
                        tracker: Optional[DialogueStateTracker] = None) -> Optional[DialogueStateTracker]:
    """The tracker when the last turn needs an apology (an action failed, or nothing was said), else None."""
    if tracker is None:
        tracker = await turn_tracker(agent, sender_id, message_id)
    if tracker is None or tracker.is_paused():
        return None
    turn = events_of_last_turn(list(tracker.events))
    failed = failed_actions(turn, custom_action_names(agent))
    if failed:
        logger.error("Actions %s failed for a conversation; the user gets the apology.", failed)
        return tracker
    return None if any(isinstance(e, BotUttered) for e in turn) else tracker


def apology_response(turn: Sequence[Event], custom: Set[str]) -> str:
    """The apology for a silent turn: "say it in other words" if only the core fallback ran, else "Haven is
    not working right now" (an action or the database failed)."""
    unsure = any(isinstance(e, ActionExecuted) and e.action_name == CORE_FALLBACK for e in turn)
    return UNSURE_RESPONSE if unsure and not failed_actions(turn, custom) else APOLOGY_RESPONSE


async def apology_messages(agent: Agent, tracker: DialogueStateTracker, channel: str) -> List[Dict[str, Any]]:
    turn = events_of_last_turn(list(tracker.events))
    custom = custom_action_names(agent)
    response = apology_response(turn, custom)
    numbers: List[str] = []
    reason = fallback_handoff.handoff_reason(tracker, failed_actions(turn, custom))
    if response == APOLOGY_RESPONSE and reason is not None:
        response, numbers = await fallback_handoff.ask_a_person(tracker, channel, reason)
    message = await agent.nlg.generate(response, tracker, channel)  # type: ignore[union-attr]
    messages = [dict(message or {"text": "Sorry, something went wrong. Please try again."})]
    if numbers:
        messages.append({"text": "\n".join(numbers)})
    return messages


async def answer_if_silent(agent: Agent, sender_id: str, channel: str, message_id: Optional[str] = None,
                           tracker: Optional[DialogueStateTracker] = None) -> List[Dict[str, Any]]:
    """The apology messages for the last turn if it needs one, else []. Never raises: the guard must not be
    the reason a user gets no answer."""
    try:
        tracker = await needs_apology(agent, sender_id, message_id, tracker)
        return [] if tracker is None else await apology_messages(agent, tracker, channel)
    except Exception:  # noqa: BLE001 - logged; the user gets the plain apology text
        logger.exception("The no-silence guard failed.")
        return [{"text": "Sorry, something went wrong. If you are in danger, call the local emergency number."}]


def recipient_messages(messages: Iterable[Dict[str, Any]], recipient_id: str) -> List[Dict[str, Any]]:
    return [{"recipient_id": recipient_id, **m} for m in messages]
