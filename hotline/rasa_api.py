"""The console's calls to Rasa's HTTP API (server side only: the token never reaches a browser).

Agent messages are BotUttered events appended with `output_channel=latest&execute_side_effects=true`, so
Rasa sends them through the channel the user last wrote on (socket.io, callback, WhatsApp) and they stay
in the transcript. Pausing and resuming the bot are Rasa's `pause` / `resume` events."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

from bot.safety import URGENT_CASE_SLOT

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error."""


class DeliveryRefused(RasaUnavailable):
    """Rasa took the request but the user's channel refused the message (e.g. WhatsApp's 24-hour window)."""


class RasaClient:
    def __init__(self, base_url: str, token: str, session: aiohttp.ClientSession,
                 timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    def _url(self, conversation_id: str, suffix: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{suffix}"

    async def _call(self, method: str, url: str, params: Dict[str, str], json: Any = None) -> Any:
        try:
            async with self.session.request(method, url, params={**params, "token": self.token}, json=json,
                                            timeout=self.timeout) as response:
                body = await response.json(content_type=None)
                if response.status >= 400:
                    message = (body or {}).get("message", "") if isinstance(body, dict) else ""
                    if response.status == 500 and "ConversationError" in str(body):
                        raise DeliveryRefused(message or "the user's channel refused the message")
                    raise RasaUnavailable(f"Rasa answered {response.status}: {message}")
                return body
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise RasaUnavailable(f"Rasa is not reachable: {error}") from error

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        return await self._call("GET", self._url(conversation_id, "tracker"), {"include_events": "ALL"})

    async def append(self, conversation_id: str, events: List[Dict[str, Any]], deliver: bool = False) -> None:
        params = {"include_events": "NONE"}
        if deliver:
            params.update(output_channel="latest", execute_side_effects="true")
        await self._call("POST", self._url(conversation_id, "tracker/events"), params, json=events)

    async def say(self, conversation_id: str, text: str, agent: Optional[str] = None) -> None:
        """A message from the hotline (an agent's words or a notice), sent on the user's own channel."""
        metadata: Dict[str, Any] = {"hotline": True}
        if agent:
            metadata["agent"] = agent
        await self.append(conversation_id, [{"event": "bot", "text": text, "metadata": metadata}], deliver=True)

    async def pause(self, conversation_id: str) -> None:
        """A person takes over: the bot pauses, and an open urgent case is now the person's (bot.safety)."""
        await self.append(conversation_id, [{"event": "pause"},
                                            {"event": "slot", "name": URGENT_CASE_SLOT, "value": False}])

    async def resume(self, conversation_id: str) -> None:
        await self.append(conversation_id, [{"event": "resume"}])


def rasa_token() -> str:
    """HAVEN_RASA_TOKEN, else a random token kept in var/rasa-token (created once, readable by the owner only).
    `make run` starts Rasa with it and the console uses it."""
    from actions.secret_file import secret_from_env_or_file

    return secret_from_env_or_file("HAVEN_RASA_TOKEN", "rasa-token")
