"""What the console shows of a conversation, read from Rasa's tracker: the messages in order (user, bot,
hotline agent, and when the bot was paused or resumed), the detected language and the slots that matter."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence


def _when(event: Dict[str, Any]) -> Optional[str]:
    timestamp = event.get("timestamp")
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat() if timestamp else None


def lines(events: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Plain data for the console to render as text (never as HTML)."""
    shown: List[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            language = ((event.get("parse_data") or {}).get("language") or {}).get("name")
            shown.append({"from": "user", "text": event.get("text") or "", "time": _when(event),
                          "language": language})
        elif kind == "bot":
            metadata = event.get("metadata") or {}
            buttons = [b.get("title", "") for b in (event.get("data") or {}).get("buttons") or []]
            shown.append({"from": "agent" if metadata.get("agent") else "bot", "text": event.get("text") or "",
                          "agent": metadata.get("agent"), "buttons": buttons, "time": _when(event)})
        elif kind in ("pause", "resume"):
            shown.append({"from": "system", "text": "bot paused" if kind == "pause" else "bot resumed",
                          "time": _when(event)})
    return shown


def detected_language(events: Sequence[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    for event in reversed(events):
        if event.get("event") == "user":
            return (event.get("parse_data") or {}).get("language")
    return None


def summary(tracker: Dict[str, Any], slot_names: Sequence[str]) -> Dict[str, Any]:
    events = tracker.get("events") or []
    slots = tracker.get("slots") or {}
    return {"lines": lines(events), "paused": bool(tracker.get("paused")),
            "language": slots.get("language"), "detected_language": detected_language(events),
            "latest_input_channel": tracker.get("latest_input_channel"),
            "slots": {name: slots.get(name) for name in slot_names if slots.get(name) not in (None, [], "")}}
