"""Haven's socket.io channel (the web widget): Rasa's `socketio` channel with the same message size limit
and no-silence guard as the REST channel. Same name and path, so the widget talks to /socket.io."""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Text

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

        return super().blueprint(guarded)
