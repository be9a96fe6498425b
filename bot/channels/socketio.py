"""Haven's socket.io channel (the web widget): Rasa's `socketio` channel, same name and path (/socket.io),
with what a public chat endpoint needs:

* **Sessions the server issued.** A client resumes a conversation only with the signed session token the
  server gave it (bot.channels.socket_sessions); anything else gets a new session. The conversation is bound
  to the socket when the session is confirmed, and every message of that socket goes to that conversation,
  whatever `session_id` the message itself names.
* **Origins.** Browsers may connect only from the widget's sites (`allowed_origins` in credentials.yml, else
  HAVEN_WIDGET_ORIGINS, comma-separated; the web app's own address by default).
* The message size limit, cleaned text and rounded locations (bot.channels.inbound) and the no-silence
  guard, as on the other channels.
"""
from __future__ import annotations

import inspect
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic
from socketio.exceptions import ConnectionRefusedError

from bot.channels import guard, socket_sessions
from bot.channels.inbound import prepare

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = int(os.environ.get("HAVEN_MAX_MESSAGE_CHARS", "2000"))
ORIGINS_VARIABLE = "HAVEN_WIDGET_ORIGINS"
DEFAULT_ORIGINS = ("http://localhost:8080", "http://127.0.0.1:8080")


def allowed_origins(configured: Any = None) -> List[str]:
    """The sites whose pages may open a widget connection (no trailing slashes)."""
    if isinstance(configured, str):
        configured = configured.split(",")
    if not configured:
        configured = os.environ.get(ORIGINS_VARIABLE, "").split(",")
    origins = [str(o).strip().rstrip("/") for o in configured if str(o).strip()]
    return origins or list(DEFAULT_ORIGINS)


def origin_allowed(environ: Dict[str, Any], origins: List[str]) -> bool:
    """Browsers always send Origin on these requests; a client without one is not a web page another site
    controls (it could not borrow a user's browser), so it is let through to the session check."""
    origin = environ.get("HTTP_ORIGIN")
    return origin is None or origin.rstrip("/") in origins


class HavenSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.origins = allowed_origins(credentials.get("allowed_origins"))  # type: ignore[attr-defined]
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        self.origins: List[str] = getattr(self, "origins", None) or allowed_origins()
        self._register_handlers(on_new_message)
        return blueprint

    def _register_handlers(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Replace Rasa's connect, session_request and user_uttered handlers with Haven's."""
        sio, namespace = self.sio, self.namespace

        async def connect(sid: Text, environ: Dict[str, Any], auth: Optional[Dict[str, Any]] = None) -> bool:
            if not origin_allowed(environ, self.origins):
                logger.warning("Refused a widget connection from origin %r.", environ.get("HTTP_ORIGIN"))
                raise ConnectionRefusedError("This site may not open Haven's chat.")
            return True

        async def session_request(sid: Text, data: Optional[Dict[Text, Any]]) -> None:
            presented = (data or {}).get("session_id")
            session = socket_sessions.verified_session(presented)
            token = presented if session is not None else socket_sessions.issue()
            session = session or socket_sessions.verified_session(token)
            conversation = socket_sessions.conversation_of(session)  # type: ignore[arg-type]
            await sio.save_session(sid, {"conversation_id": conversation}, namespace=namespace)
            entered = sio.enter_room(sid, conversation, namespace=namespace)
            if inspect.isawaitable(entered):  # a coroutine since python-socketio 5.10 (Rasa 3.6 does not await)
                await entered
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

        async def user_uttered(sid: Text, data: Any) -> None:
            session = await sio.get_session(sid, namespace=namespace)
            conversation = session.get("conversation_id") if session else None
            if conversation is None or not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.warning("Ignored a widget message without a confirmed session or text.")
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            output = SocketIOOutput(sio, self.bot_message_evt)
            await self._guarded(UserMessage(data["message"], output, conversation, input_channel=self.name(),
                                            metadata=metadata if isinstance(metadata, dict) else {}),
                                on_new_message)

        sio.on("connect", handler=connect, namespace=namespace)
        sio.on("session_request", handler=session_request, namespace=namespace)
        sio.on(self.user_message_evt, handler=user_uttered, namespace=namespace)

    async def _guarded(self, message: UserMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
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
        message.text = prepare(message.text or "")
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("Handling a socket.io message failed.")
        for apology in await guard.answer_if_silent(agent, message.sender_id, self.name(), message.message_id):
            await message.output_channel.send_response(message.sender_id, apology)
