"""Web-widget sessions that only the server can issue.

Rasa's socket.io channel lets any client name any `session_id` and then reads and writes that conversation:
a copied or guessed id is a password. Haven's server issues each session as `<id>.<signature>`
(HMAC-SHA256 of the id under HAVEN_SOCKET_SECRET); the widget keeps that token and presents it to resume.
A token whose signature does not verify is refused and the client gets a new session, so a conversation can
only be resumed by the device the server gave it to. The conversation id is `web-<id>` (bot.channels.ids).

With several Rasa instances every instance needs the same secret; with none configured a process makes a
random one, so widget sessions start afresh after a restart (logged)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from functools import lru_cache
from typing import Optional

from bot.channels import ids

logger = logging.getLogger(__name__)
SECRET_VARIABLE = "HAVEN_SOCKET_SECRET"


@lru_cache(maxsize=1)
def secret() -> bytes:
    configured = os.environ.get(SECRET_VARIABLE, "").strip()
    if configured:
        return configured.encode()
    logger.warning("%s is not set: widget sessions will not survive a restart of this Rasa process.",
                   SECRET_VARIABLE)
    return secrets.token_bytes(32)


def _signature(session: str, key: bytes) -> str:
    digest = hmac.new(key, f"haven-socket-session:{session}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(key: Optional[bytes] = None) -> str:
    """A new session token for a widget."""
    session = secrets.token_hex(16)
    return f"{session}.{_signature(session, key or secret())}"


def verified_session(token: object, key: Optional[bytes] = None) -> Optional[str]:
    """The session inside a token the server issued, or None for anything else."""
    if not isinstance(token, str) or token.count(".") != 1:
        return None
    session, signature = token.split(".")
    if not ids.EXTERNAL_ID.fullmatch(session):
        return None
    return session if hmac.compare_digest(signature, _signature(session, key or secret())) else None


def conversation_of(session: str) -> str:
    return ids.conversation_id("socketio", session)
