"""Forget me on the device: action_forget_me tells the widget to wipe this phone's copy of the conversation
(issue 18, item 5), only when the erasure was really recorded and only on channels that can carry it, and
Rasa's own output channels deliver that instruction in the shape the widget reads."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.channels.socketio import SocketIOOutput
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.safety import ActionForgetMe
from hotline.db import session_scope
from hotline.models import ErasureRequest

FORGET_DEVICE = {"data": {"haven": "forget_device"}}


def tracker(channel: Optional[str]) -> Tracker:
    events = [{"event": "user", "text": "/forget_me", "input_channel": channel, "parse_data": {}}]
    return Tracker("amina", {"language": "ar"}, {}, events, False, None, {}, None)


async def forget(channel: Optional[str]) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await ActionForgetMe().run(dispatcher, tracker(channel), {})
    return dispatcher.messages


@pytest.fixture()
def hotline_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    monkeypatch.setenv("HAVEN_HOTLINE_DATABASE_URL", url)
    return url


@pytest.mark.parametrize("channel", ["socketio", "rest", None])
async def test_a_recorded_erasure_tells_the_device_to_forget(hotline_db: str, channel: Optional[str]) -> None:
    [message] = await forget(channel)
    assert message["response"] == "utter_forget_me"
    assert message["custom"] == FORGET_DEVICE
    with session_scope(hotline_db) as s:
        assert [r.conversation_id for r in s.query(ErasureRequest)] == ["amina"]


async def test_an_erasure_that_was_not_recorded_leaves_the_device_alone(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")  # the database's folder cannot be created: the request is not recorded
    monkeypatch.setenv("HAVEN_HOTLINE_DATABASE_URL", f"sqlite:///{blocker / 'hotline.db'}")
    [message] = await forget("socketio")
    assert message["response"] == "utter_service_unavailable"
    assert not message.get("custom")


async def test_whatsapp_gets_only_the_confirmation(hotline_db: str) -> None:
    """WhatsApp's output would post the instruction to the Graph API as if it were a message."""
    [message] = await forget("whatsapp")
    assert message["response"] == "utter_forget_me"
    assert not message.get("custom")


class RecordingSocketIO:
    def __init__(self) -> None:
        self.emitted: List[Tuple[Tuple[Any, ...], Dict[str, Any]]] = []

    async def emit(self, *args: Any, **kwargs: Any) -> None:
        self.emitted.append((args, kwargs))


async def test_socketio_delivers_it_as_the_bot_uttered_data_the_widget_reads() -> None:
    sio = RecordingSocketIO()
    await SocketIOOutput(sio, "bot_uttered").send_response(  # type: ignore[arg-type]
        "session-1", {"text": "I have forgotten the details you gave me.", "custom": dict(FORGET_DEVICE)})
    assert sio.emitted == [
        (("bot_uttered", {"text": "I have forgotten the details you gave me."}), {"room": "session-1"}),
        (("bot_uttered",), {"data": {"haven": "forget_device"}, "room": "session-1"}),
    ]


async def test_rest_returns_it_as_a_custom_element_after_the_text() -> None:
    output = CollectingOutputChannel()
    await output.send_response("amina", {"text": "Forgotten.", "custom": dict(FORGET_DEVICE)})
    assert [m.get("text") for m in output.messages] == ["Forgotten.", None]
    assert output.messages[1]["custom"] == FORGET_DEVICE
