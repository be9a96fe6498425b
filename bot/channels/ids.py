"""Conversation ids: one safe alphabet, one namespace per channel.

A conversation id is the key of a tracker and what the hotline queue, forget-me and the WhatsApp window refer
to, so whoever can send under an id acts for that person. Two rules keep ids from acting as passwords that
every channel shares:

* **Safe alphabet.** Ids are made of `A-Z a-z 0-9 _ -` only, so they survive URLs, logs and Rasa's HTTP API
  unchanged (the hotline console calls `/conversations/<id>/...`; Rasa does not percent-decode).
* **Namespaces.** Each channel turns the id its client names into a conversation id of its own shape: REST
  `rest-…`, socket.io `web-…`, Rasa's callback channel `cb-…`, and WhatsApp the user's number, digits only
  (the hotline and the 24-hour window key on it). No channel can produce another channel's ids, so a REST
  integration can never write as a WhatsApp number and a widget can never name a REST conversation.
"""
from __future__ import annotations

import re
from typing import Dict, Optional

#: What a client may name (before the prefix): 1-64 safe characters.
EXTERNAL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: WhatsApp's ids (wa_id) are phone numbers in international format, digits only.
WHATSAPP_ID = re.compile(r"[0-9]{5,20}")
#: Every conversation id Haven stores.
CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
PREFIXES: Dict[str, str] = {"rest": "rest-", "socketio": "web-", "callback": "cb-"}
WHATSAPP = "whatsapp"


class InvalidSenderId(ValueError):
    """The id a client sent is not one this channel accepts."""


def conversation_id(channel: str, external_id: object) -> str:
    """The conversation id for the id a client of `channel` named; InvalidSenderId if it is malformed."""
    if not isinstance(external_id, str):
        raise InvalidSenderId("The sender id must be a string.")
    if channel == WHATSAPP:
        if not WHATSAPP_ID.fullmatch(external_id):
            raise InvalidSenderId("A WhatsApp id is 5 to 20 digits.")
        return external_id
    prefix = PREFIXES[channel]
    if not EXTERNAL_ID.fullmatch(external_id):
        raise InvalidSenderId("The sender id must be 1 to 64 characters from A-Z, a-z, 0-9, '_' and '-'.")
    return prefix + external_id


def external_id(channel: str, conversation: str) -> str:
    """The id the channel's client knows (what `conversation_id` was made from)."""
    prefix = PREFIXES.get(channel, "")
    return conversation[len(prefix):] if prefix and conversation.startswith(prefix) else conversation


def channel_of(conversation: str) -> Optional[str]:
    """Which channel a conversation id belongs to, or None for an id no channel makes."""
    if WHATSAPP_ID.fullmatch(conversation):
        return WHATSAPP
    for channel, prefix in PREFIXES.items():
        if conversation.startswith(prefix) and EXTERNAL_ID.fullmatch(conversation[len(prefix):]):
            return channel
    return None


def is_conversation_id(value: object) -> bool:
    """True for an id some channel makes (what the hotline console and erasure accept)."""
    return isinstance(value, str) and CONVERSATION_ID.fullmatch(value) is not None and channel_of(value) is not None
