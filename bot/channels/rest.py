"""Haven's REST channel: Rasa's `rest` channel with a message size limit, clear errors on malformed
requests, the no-silence guard (bot.channels.guard), and hotline messages sent since the user's last
message (bot.channels.hotline_relay). Same webhook: POST /webhooks/rest/webhook."""
from __future__ import annotations

import copy
import logging
import os
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import guard
from bot.channels.hotline_relay import undelivered_hotline_messages

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = int(os.environ.get("HAVEN_MAX_MESSAGE_CHARS", "2000"))
MAX_SENDER_CHARS = 128


class HavenRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = _json_body(request)
            if body is None:
                return response.json({"error": "The body must be a JSON object."}, status=400)
            sender_id, text = body.get("sender"), body.get("message")
            if not isinstance(sender_id, str) or not sender_id or len(sender_id) > MAX_SENDER_CHARS:
                return response.json({"error": f"'sender' must be a string of 1 to {MAX_SENDER_CHARS} "
                                               "characters."}, status=400)
            if not isinstance(text, str):
                return response.json({"error": "'message' must be a string."}, status=400)
            agent = request.app.ctx.agent
            if len(text) > MAX_MESSAGE_CHARS:
                return response.json(await _too_long(agent, sender_id))
            collector = CollectingOutputChannel()
            relayed = await undelivered_hotline_messages(agent, sender_id, self.name())
            collector.messages.extend(guard.recipient_messages(relayed, sender_id))
            try:
                await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name(),
                                                 metadata=self.get_metadata(request)))
            except CancelledError:
                logger.error("Handling a REST message timed out.")
            except Exception:
                logger.exception("Handling a REST message failed.")
            tracker = await guard.needs_apology(agent, sender_id)
            if tracker is not None:
                apology = await guard.apology_messages(agent, tracker, self.name())
                collector.messages.extend(guard.recipient_messages(apology, sender_id))
            return response.json(collector.messages)

        return webhook


def _json_body(request: Request) -> Optional[Dict[str, Any]]:
    try:
        body = request.json
    except Exception:
        return None
    return body if isinstance(body, dict) else None


async def _too_long(agent: Any, sender_id: str) -> list:
    """Answer in the conversation's language without changing the conversation: nothing is half-processed."""
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = await agent.tracker_store.retrieve(sender_id) if agent.tracker_store else None
    tracker = tracker or DialogueStateTracker(sender_id, agent.domain.slots)
    message = await agent.nlg.generate("utter_message_too_long", tracker, "rest", max_chars=MAX_MESSAGE_CHARS)
    return guard.recipient_messages([copy.deepcopy(message)], sender_id)
