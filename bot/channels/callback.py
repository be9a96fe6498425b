"""Haven's callback channel: Rasa's `callback` channel (the bot's answers are posted to the integration's
URL) with the same protections as the REST channel: a bearer token (HAVEN_CALLBACK_TOKEN; off without one),
its own conversation-id namespace (`cb-<sender>`, bot.channels.ids; the integration sees its own ids in
what is posted back), cleaned text and the no-silence guard. Same webhook: POST /webhooks/callback/webhook."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.callback import CallbackInput, CallbackOutput
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import auth, guard, ids
from bot.channels.inbound import prepare

logger = logging.getLogger(__name__)
TOKEN_VARIABLE = "HAVEN_CALLBACK_TOKEN"


class HavenCallbackOutput(CallbackOutput):
    """Posts each message to the integration under the id the integration used."""

    async def _persist_message(self, message: Dict[Text, Any]) -> None:
        recipient = message.get("recipient_id")
        if isinstance(recipient, str):
            message = {**message, "recipient_id": ids.external_id("callback", recipient)}
        await super()._persist_message(message)


class HavenCallbackInput(CallbackInput):
    @classmethod
    def name(cls) -> Text:
        return "callback"

    def get_output_channel(self) -> CollectingOutputChannel:
        return HavenCallbackOutput(self.callback_endpoint)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            message = auth.read_message(request, self.name(), TOKEN_VARIABLE)
            if isinstance(message, HTTPResponse):
                return message
            sender_id = message.conversation_id
            output = self.get_output_channel()
            text = prepare(message.text)
            user_message = UserMessage(text, output, sender_id, input_channel=self.name())
            try:
                await on_new_message(user_message)
            except Exception:
                logger.exception("Handling a callback message failed.")
            for apology in await guard.answer_if_silent(request.app.ctx.agent, sender_id, self.name(),
                                                        user_message.message_id):
                await output.send_response(sender_id, apology)
            return response.text("success")

        return webhook
