"""Meta's side of WhatsApp for end-to-end tests: a fake Graph API (aiohttp on loopback, in its own thread)
that records what Haven sends, and webhook deliveries shaped as Meta documents them, signed with the
app secret."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any, Callable, Dict, List, Optional

import requests
from aiohttp import web

from bot.channels.whatsapp import signature_header
from tests import meta_payloads
from tests.e2e.loopback import LoopbackApp

APP_SECRET = "e2e-whatsapp-app-secret"
VERIFY_TOKEN = "e2e-verify-token"
ACCESS_TOKEN = "e2e-access-token"
PHONE_NUMBER_ID = "109876543210"


class FakeGraphAPI(LoopbackApp):
    """POST /{phone_number_id}/messages, checking the access token; records every message sent."""

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/{phone_number_id}/messages", self._send)

    @property
    def delivered(self) -> List[Dict[str, Any]]:
        return self.snapshot()

    async def _send(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return web.json_response({"error": {"message": "Invalid OAuth access token", "code": 190}}, status=401)
        body = await request.json()
        self.record(body)
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"input": body.get("to")}],
                                  "messages": [{"id": f"wamid.OUT{uuid.uuid4().hex[:10]}"}]})

    def texts_to(self, wa_id: str) -> List[str]:
        texts = []
        for message in self.snapshot():
            if message.get("to") != wa_id:
                continue
            if message.get("type") == "text":
                texts.append(message["text"]["body"])
            elif message.get("type") == "interactive":
                texts.append(message["interactive"]["body"]["text"])
        return texts

    def wait_for(self, wa_id: str, predicate: Callable[[str], bool], timeout: float = 60) -> List[str]:
        return self.wait_for_text(lambda: self.texts_to(wa_id), predicate, timeout)


def delivery(wa_id: str, message: Dict[str, Any]) -> Dict[str, Any]:
    """A webhook POST body as Meta documents it (one message)."""
    message = {"from": wa_id, "id": f"wamid.IN{uuid.uuid4().hex}", "timestamp": str(int(time.time())), **message}
    return meta_payloads.webhook(message, wa_id=wa_id, phone_number_id=PHONE_NUMBER_ID, name="Test User")


def text(body: str) -> Dict[str, Any]:
    return {"type": "text", "text": {"body": body}}


def location(latitude: float, longitude: float) -> Dict[str, Any]:
    return {"type": "location", "location": {"latitude": latitude, "longitude": longitude}}


def post_webhook(rasa_url: str, payload: Dict[str, Any], secret: Optional[str] = APP_SECRET) -> requests.Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Hub-Signature-256"] = signature_header(secret, body)
    return requests.post(f"{rasa_url}/webhooks/whatsapp/webhook", data=body, headers=headers, timeout=10)
