"""Haven's socket.io channel (the web widget): Rasa's `socketio` channel with the same message size limit
and no-silence guard as the REST channel. Same name and path, so the widget talks to /socket.io."""
from __future__ import annotations

import inspect
import logging
import os
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, Sanic

from bot.channels import guard

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = int(os.environ.get("HAVEN_MAX_MESSAGE_CHARS", "2000"))


class HavenSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> None:
            agent = Sanic.get_app().ctx.agent
            if len(message.text or "") > MAX_MESSAGE_CHARS:
                tracker = await agent.tracker_store.retrieve(message.sender_id) if agent.tracker_store else None
                if tracker is None:
                    from rasa.shared.core.trackers import DialogueStateTracker

                    tracker = DialogueStateTracker(message.sender_id, agent.domain.slots)
                reply = await agent.nlg.generate("utter_message_too_long", tracker, self.name(),
                                                 max_chars=MAX_MESSAGE_CHARS)
                await message.output_channel.send_response(message.sender_id, reply)
                return
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("Handling a socket.io message failed.")
            tracker = await guard.needs_apology(agent, message.sender_id)
            if tracker is not None:
                for apology in await guard.apology_messages(agent, tracker, self.name()):
                    await message.output_channel.send_response(message.sender_id, apology)

        blueprint = super().blueprint(guarded)
        self._fix_session_request()
        return blueprint

    def _fix_session_request(self) -> None:
        """Rasa 3.6's handler calls python-socketio's enter_room without awaiting it (a coroutine since
        python-socketio 5.10), so the client never joins its session's room and never gets an answer.
        Same handler, awaited."""
        sio = self.sio

        async def session_request(sid: Text, data: Optional[Dict[Text, Any]]) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)

        sio.on("session_request", handler=session_request, namespace=self.namespace)
