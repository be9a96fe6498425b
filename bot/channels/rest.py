"""Haven's REST channel: Rasa's `rest` channel for trusted integrations and tests, with a bearer token
(HAVEN_REST_TOKEN; off without one), its own conversation-id namespace (`rest-<sender>`, bot.channels.ids),
a message size limit, clear errors on malformed requests, the no-silence guard (bot.channels.guard), and
hotline messages sent since the user's last message (bot.channels.hotline_relay).
Same webhook: POST /webhooks/rest/webhook with `Authorization: Bearer <token>`; answers name the sender as
it was sent."""
from __future__ import annotations

import copy
import logging
import os
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import auth, guard
from bot.channels.hotline_relay import undelivered_hotline_messages
from bot.channels.inbound import prepare

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = int(os.environ.get("HAVEN_MAX_MESSAGE_CHARS", "2000"))
TOKEN_VARIABLE = "HAVEN_REST_TOKEN"


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
            message = auth.read_message(request, self.name(), TOKEN_VARIABLE)
            if isinstance(message, HTTPResponse):
                return message
            sender, sender_id, text = message.sender, message.conversation_id, message.text
            agent = request.app.ctx.agent
            if len(text) > MAX_MESSAGE_CHARS:
                return response.json(_as_sent(await _too_long(agent, sender_id), sender))
            text = prepare(text)
            collector = CollectingOutputChannel()
            user_message = UserMessage(text, collector, sender_id, input_channel=self.name(),
                                       metadata=self.get_metadata(request))
            try:
                await on_new_message(user_message)
            except CancelledError:
                logger.error("Handling a REST message timed out.")
            except Exception:
                logger.exception("Handling a REST message failed.")
            try:
                tracker = await guard.turn_tracker(agent, sender_id, user_message.message_id)
            except Exception:  # the store is down: the guard below tries again and apologises
                logger.exception("Reading the conversation after a REST turn failed.")
                tracker = None
            relayed = undelivered_hotline_messages(tracker, self.name(), user_message.message_id)
            apologies = await guard.answer_if_silent(agent, sender_id, self.name(), tracker=tracker)
            collector.messages[:0] = guard.recipient_messages(relayed, sender_id)
            collector.messages.extend(guard.recipient_messages(apologies, sender_id))
            return response.json(_as_sent(collector.messages, sender))

        return webhook


def _as_sent(messages: List[Dict[str, Any]], sender: str) -> List[Dict[str, Any]]:
    """The integration named the conversation `sender`; it gets its answers under that name."""
    return [{**m, "recipient_id": sender} if "recipient_id" in m else m for m in messages]


async def _too_long(agent: Any, sender_id: str) -> list:
    """Answer in the conversation's language without changing the conversation: nothing is half-processed."""
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = await agent.tracker_store.retrieve(sender_id) if agent.tracker_store else None
    tracker = tracker or DialogueStateTracker(sender_id, agent.domain.slots)
    message = await agent.nlg.generate("utter_message_too_long", tracker, "rest", max_chars=MAX_MESSAGE_CHARS)
    return guard.recipient_messages([copy.deepcopy(message)], sender_id)
