"""Shared-secret checks for the channels that integrations call directly (REST, callback).

Those channels carry no user identity of their own: whoever may call them may write under any of their
conversation ids. So they are for trusted integrations only and take a bearer token, and they are off (503)
when no token is configured rather than open to anyone."""
from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from typing import Any, Dict, Optional, Union

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import ids


def configured_token(variable: str) -> Optional[str]:
    """The token from the environment of the Rasa process (scripts/start.py sets it), None when unset."""
    value = os.environ.get(variable, "").strip()
    return value or None


def presented_token(request: Request) -> Optional[str]:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def refusal(request: Request, variable: str, channel: str) -> Optional[HTTPResponse]:
    """None when the request carries the channel's token; else the answer to give (503 off, 401 refused)."""
    expected = configured_token(variable)
    if expected is None:
        return response.json({"error": f"The {channel} channel is off: set {variable} to turn it on."}, status=503)
    presented = presented_token(request)
    if presented is None or not hmac.compare_digest(presented.encode(), expected.encode()):
        return response.json({"error": "Missing or wrong token (Authorization: Bearer <token>)."}, status=401,
                             headers={"WWW-Authenticate": "Bearer"})
    return None


@dataclass(frozen=True)
class IntegrationMessage:
    sender: str  # as the integration named it
    conversation_id: str  # the channel's own (bot.channels.ids)
    text: str


def _json_object(request: Request) -> Optional[Dict[str, Any]]:
    try:
        body = request.json
    except Exception:
        return None
    return body if isinstance(body, dict) else None


def read_message(request: Request, channel: str, variable: str) -> Union[IntegrationMessage, HTTPResponse]:
    """The message of an integration's POST {"sender": ..., "message": ...}, or the answer that refuses it:
    no or wrong token, not a JSON object, a sender outside the channel's ids, a message that is not text."""
    refused = refusal(request, variable, channel)
    if refused is not None:
        return refused
    body = _json_object(request)
    if body is None:
        return response.json({"error": "The body must be a JSON object."}, status=400)
    try:
        conversation = ids.conversation_id(channel, body.get("sender"))
    except ids.InvalidSenderId as error:
        return response.json({"error": f"'sender': {error}"}, status=400)
    if not isinstance(body.get("message"), str):
        return response.json({"error": "'message' must be a string."}, status=400)
    return IntegrationMessage(body["sender"], conversation, body["message"])
