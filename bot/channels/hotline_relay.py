"""Hotline messages for users of the plain REST channel, which cannot be pushed to: what the console sent
since the user's previous message (BotUttered events marked `hotline` in the tracker) is handed over with the
answer to the user's next request. Other channels get these messages at once through Rasa's
`output_channel=latest`.

It reads the tracker the channel guard reads after the turn (bot.channels.guard.turn_tracker), so a REST turn
costs no extra tracker-store read."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def undelivered_hotline_messages(tracker: Optional[DialogueStateTracker], channel: str,
                                 message_id: Optional[str] = None) -> List[Dict[str, Any]]:
    """The console's messages sent before the user's message `message_id`, if they last wrote on `channel`.

    `tracker` is the conversation after the turn; if the turn never reached it (handling failed), what came
    after its last user message is what is waiting."""
    if tracker is None:
        return []
    events = list(tracker.events)
    users = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    end = len(events)
    if users and message_id is not None and events[users[-1]].message_id == message_id:
        end = users.pop()  # this turn's message: the waiting ones come before it
    if not users or events[users[-1]].input_channel != channel:
        return []
    waiting: List[Dict[str, Any]] = []
    for event in events[users[-1] + 1:end]:
        if isinstance(event, BotUttered) and (event.metadata or {}).get("hotline"):
            message: Dict[str, Any] = {"text": event.text, "from_hotline": True}
            if event.metadata.get("agent"):
                message["agent"] = event.metadata["agent"]
            waiting.append(message)
    return waiting
