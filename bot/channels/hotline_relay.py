"""Hotline messages for users of the plain REST channel, which cannot be pushed to: what the console sent
since the user's last message (BotUttered events marked `hotline` in the tracker) is handed over with the
user's next request. Other channels get these messages at once through Rasa's `output_channel=latest`."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.core.agent import Agent
from rasa.shared.core.events import BotUttered, UserUttered


async def undelivered_hotline_messages(agent: Agent, sender_id: str, channel: str) -> List[Dict[str, Any]]:
    if agent.tracker_store is None:
        return []
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None or tracker.get_latest_input_channel() != channel:
        return []
    waiting: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and (event.metadata or {}).get("hotline"):
            message: Dict[str, Any] = {"text": event.text, "from_hotline": True}
            if event.metadata.get("agent"):
                message["agent"] = event.metadata["agent"]
            waiting.append(message)
    return list(reversed(waiting))
