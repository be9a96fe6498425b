"""The WhatsApp channel end to end: its blueprint registered by Rasa's own `register` in a real Sanic server
on a loopback port, a recording fake agent behind it, and a fake Graph API (aiohttp, loopback) in front of
it that records every message and fails on request."""
from __future__ import annotations

import base64
import json
import logging
import socket
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional

import aiohttp
import pytest

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.channels.channel import UserMessage, register
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.channels.whatsapp import WhatsAppInput, WhatsAppOutput, channel_text, signature_header
from bot.channels.whatsapp_api import GraphError, OutsideServiceWindow, RetryPolicy
from bot.channels.whatsapp_store import utcnow
from tests import meta_payloads

SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
PHONE_NUMBER_ID = "1234567890"
WA_ID = "33612345678"
FAST = RetryPolicy(retries=3, base_delay=0.001, max_delay=0.05, timeout=5)

pytestmark = pytest.mark.asyncio


# --- Fakes ---

class FakeGraph:
    """Meta's Graph API as far as sending messages goes. `failures` are answered first, one per request."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.delivered: List[Dict[str, Any]] = []
        self.failures: List[tuple] = []
        self.server: Optional[TestServer] = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({"path": request.path, "auth": request.headers.get("Authorization"),
                              "json": body, "at": time.monotonic()})
        if self.failures:
            status, payload, headers = self.failures.pop(0)
            return web.json_response(payload, status=status, headers=headers)
        self.delivered.append(body)
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"input": body["to"]}],
                                  "messages": [{"id": f"wamid.OUT{len(self.delivered)}"}]})

    async def start(self) -> "FakeGraph":
        app = web.Application()
        app.router.add_post("/{phone_number_id}/messages", self.handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    def texts(self) -> List[str]:
        return [m["text"]["body"] for m in self.delivered if m["type"] == "text"]


class FakeTrackerStore:
    def __init__(self, tracker: DialogueStateTracker) -> None:
        self.tracker = tracker

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return self.tracker if sender_id == self.tracker.sender_id else None


class FakeAgent:
    """Rasa's agent as the channel sees it: records messages and answers through their output channel."""

    def __init__(self, reply: Callable[[UserMessage], List[Dict[str, Any]]] = lambda m: [{"text": f"echo: {m.text}"}],
                 tracker: Optional[DialogueStateTracker] = None) -> None:
        self.received: List[UserMessage] = []
        self.reply = reply
        self.tracker_store = FakeTrackerStore(tracker) if tracker is not None else None
        self.domain = None
        self.nlg = SimpleNamespace(generate=self._generate)

    async def _generate(self, name: str, tracker: Any, channel: str, **kwargs: Any) -> Dict[str, Any]:
        return {"text": f"[{name}]"}

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        for answer in self.reply(message):
            await message.output_channel.send_response(message.sender_id, dict(answer))


class Haven:
    """A running Sanic app with the channel registered as Rasa registers channels."""

    def __init__(self, channel: WhatsAppInput, agent: FakeAgent) -> None:
        self.channel, self.agent = channel, agent
        self.app = Sanic(f"haven_whatsapp_{uuid.uuid4().hex}")
        self.app.ctx.agent = agent
        register([channel], self.app, "/webhooks/")
        self.server: Any = None
        self.http: Optional[aiohttp.ClientSession] = None
        self.url = ""

    async def start(self) -> "Haven":
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/whatsapp/webhook"
        self.server = await self.app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await self.server.startup()
        self.http = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        await self.http.close()
        await self.server.before_stop()  # the channel finishes its work and closes its Graph session
        self.server.close()
        await self.server.wait_closed()

    async def post(self, payload: Any, signature: Optional[str] = "sign", body: Optional[bytes] = None):
        """POST as Meta does; `signature="sign"` signs the body with the app secret."""
        body = body if body is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            signature = signature_header(SECRET, body)
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        async with self.http.post(self.url, data=body, headers=headers) as reply:
            text = await reply.text()
        await self.channel.wait_idle()
        return reply.status, text

    async def get(self, params: Dict[str, str]):
        async with self.http.get(self.url, params=params) as reply:
            return reply.status, await reply.text()


# --- Meta-shaped payloads ---

def webhook(*messages: Dict[str, Any], statuses=()) -> Dict[str, Any]:
    return meta_payloads.webhook(*messages, statuses=statuses, phone_number_id=PHONE_NUMBER_ID, wa_id=WA_ID)


def message(kind: str, content: Any, message_id: Optional[str] = None) -> Dict[str, Any]:
    return {"from": WA_ID, "id": message_id or f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())),
            "type": kind, kind: content}


def text(body: str, message_id: Optional[str] = None) -> Dict[str, Any]:
    return message("text", {"body": body}, message_id)


# --- Fixtures ---

@pytest_asyncio.fixture
async def graph():
    fake = await FakeGraph().start()
    yield fake
    await fake.server.close()


@pytest_asyncio.fixture
async def start(tmp_path: Path, graph: FakeGraph, monkeypatch: pytest.MonkeyPatch):
    """start(agent=None, **channel settings) -> a running Haven; several may run one after the other on the
    same state database (a restart)."""
    monkeypatch.setattr(Sanic, "test_mode", True)  # lets Sanic 21.12 start several apps in one process
    running: List[Haven] = []

    async def _start(agent: Optional[FakeAgent] = None, **settings: Any) -> Haven:
        config = dict(verify_token=VERIFY_TOKEN, app_secret=SECRET, access_token=ACCESS_TOKEN,
                      phone_number_id=PHONE_NUMBER_ID, api_base_url=graph.url,
                      state_database_url=f"sqlite:///{tmp_path / 'state.db'}", retry_policy=FAST)
        config.update(settings)
        haven = await Haven(WhatsAppInput(**config), agent or FakeAgent()).start()
        running.append(haven)
        return haven

    yield _start
    for haven in running:
        if haven.server.is_serving():
            await haven.stop()


# --- Webhook verification and signatures ---

async def test_webhook_verification_echoes_the_challenge_only_for_the_right_token(start):
    haven = await start()
    assert await haven.get({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                            "hub.challenge": "1158201444"}) == (200, "1158201444")
    status, _ = await haven.get({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"})
    assert status == 403


@pytest.mark.parametrize("signature", ["forged", "missing", "other body"])
async def test_unsigned_or_forged_posts_are_refused_and_never_reach_the_bot(start, graph, signature):
    haven = await start()
    body = json.dumps(webhook(text("hello"))).encode()
    header = {"forged": "sha256=" + "0" * 64, "missing": None,
              "other body": signature_header(SECRET, json.dumps(webhook(text("other"))).encode())}[signature]
    status, _ = await haven.post(None, signature=header, body=body)
    assert status == 403
    assert haven.agent.received == [] and graph.requests == []


async def test_malformed_json_with_a_valid_signature_is_a_bad_request(start):
    haven = await start()
    assert (await haven.post(None, body=b"{not json"))[0] == 400
    assert (await haven.post([1, 2]))[0] == 400
    assert haven.agent.received == []


async def test_signed_json_nested_too_deeply_is_a_bad_request_not_a_crash(start, graph, caplog):
    haven = await start()
    deep = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with caplog.at_level(logging.DEBUG):
        status, answer = await haven.post(None, body=deep)
    assert (status, answer) == (400, "The body is nested too deeply.")
    assert haven.agent.received == [] and graph.requests == []
    assert "[[[[" not in caplog.text and "RecursionError" not in caplog.text
    assert (await haven.post(webhook(text("still here"))))[0] == 200  # the server is fine
    assert [m.text for m in haven.agent.received] == ["still here"]


BAD_SHAPES = [
    {"object": "whatsapp_business_account", "entry": 5},
    {"object": "whatsapp_business_account", "entry": [{"changes": {"value": 1}}]},
    {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"messages": "x", "statuses": 3}}]}]},
    {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"metadata": [], "messages": [
        {"from": WA_ID, "id": "wamid.S1", "type": "text", "text": "not an object"},
        {"from": WA_ID, "id": {"nested": [1]}, "type": "text", "text": {"body": "id not a string"}},
        {"from": WA_ID, "id": "wamid.S2", "type": ["text"], "text": {"body": "type not a string"}},
        {"from": [WA_ID], "id": "wamid.S3", "type": "text", "text": {"body": "sender not a string"}},
        {"from": WA_ID, "id": "wamid.S4", "type": "interactive", "interactive": {"type": {"a": 1}}},
        {"from": WA_ID, "id": "wamid.S5", "type": "location", "location": {"latitude": 10 ** 400, "longitude": 1}},
        {"from": WA_ID, "id": "x" * 300, "type": "text", "text": {"body": "id too long"}},
    ]}}]}]},
    {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"statuses": [
        {"id": [[[["x"]]]], "status": {"a": 1}, "errors": [{"code": True}, "x"]}]}}]}]},
]


@pytest.mark.parametrize("payload", BAD_SHAPES)
async def test_payloads_that_are_not_metas_shape_are_accepted_and_nothing_is_handled(start, graph, payload):
    haven = await start()
    status, _ = await haven.post(payload)
    assert status in (200, 400)
    assert haven.agent.received == []
    assert [m for m in graph.delivered if m.get("type") == "text" and "echo" in m["text"]["body"]] == []


async def test_an_unforeseen_parsing_error_is_a_bad_request(start, monkeypatch):
    import bot.channels.whatsapp as channel

    def broken(*args: Any) -> list:
        raise KeyError("surprise")

    monkeypatch.setattr(channel, "parse_webhook", broken)
    haven = await start()
    assert await haven.post(webhook(text("hello"))) == (400, "The body is not a WhatsApp webhook payload.")
    assert haven.agent.received == []


async def test_without_secrets_the_channel_starts_and_says_it_is_not_configured(start):
    haven = await start(verify_token="", app_secret="", access_token="")
    status, body = await haven.get({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})
    assert status == 503 and "verify_token" in body
    status, body = await haven.post(webhook(text("hello")), signature=signature_header("", b"{}"))
    assert status == 503 and "app_secret" in body
    assert haven.agent.received == []


# --- Incoming messages ---

async def test_a_text_reaches_the_bot_and_the_answer_reaches_whatsapp(start, graph):
    haven = await start()
    assert await haven.post(webhook(text("I need help", "wamid.T1"))) == (200, "EVENT_RECEIVED")
    [received] = haven.agent.received
    assert (received.text, received.sender_id, received.input_channel) == ("I need help", WA_ID, "whatsapp")
    assert received.message_id == "wamid.T1"
    [request] = graph.requests
    assert request["path"] == f"/{PHONE_NUMBER_ID}/messages"
    assert request["auth"] == f"Bearer {ACCESS_TOKEN}"
    assert request["json"] == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
                               "type": "text", "text": {"body": "echo: I need help", "preview_url": False}}


async def test_a_redelivered_message_is_answered_once_even_after_a_restart(start, graph):
    payload = webhook(text("hello", "wamid.DUP"))
    first = await start()
    assert (await first.post(payload))[0] == 200
    assert (await first.post(payload))[0] == 200  # Meta retries
    await first.stop()
    restarted = await start()
    assert (await restarted.post(payload))[0] == 200
    assert len(first.agent.received) == 1 and restarted.agent.received == []
    assert graph.texts() == ["echo: hello"]


async def test_status_callbacks_are_accepted_and_ignored(start, graph):
    haven = await start()
    statuses = [{"id": "wamid.OUT1", "status": "read", "timestamp": "1718000000", "recipient_id": WA_ID},
                {"id": "wamid.OUT2", "status": "failed", "timestamp": "1718000000", "recipient_id": WA_ID,
                 "errors": [{"code": 131047, "title": "Re-engagement message"}]}]
    assert await haven.post(webhook(statuses=statuses)) == (200, "EVENT_RECEIVED")
    assert haven.agent.received == [] and graph.requests == []


async def test_an_image_gets_a_polite_answer_and_never_reaches_the_bot(start, graph):
    haven = await start()
    await haven.post(webhook(message("image", {"mime_type": "image/jpeg", "id": "MEDIA_ID"})))
    assert haven.agent.received == []
    assert graph.texts() == [channel_text("unsupported", "en")]


async def test_the_polite_answer_is_in_the_conversations_language(start, graph):
    tracker = DialogueStateTracker(WA_ID, slots=[TextSlot("language", mappings=[])])
    tracker.update(SlotSet("language", "fr"))
    haven = await start(FakeAgent(tracker=tracker))
    await haven.post(webhook(message("audio", {"mime_type": "audio/ogg", "id": "MEDIA_ID", "voice": True})))
    assert graph.texts() == [channel_text("unsupported", "fr")]
    assert "Désolé" in graph.texts()[0]


async def test_a_shared_location_reaches_the_bot_as_share_location_rounded_and_nothing_else(start):
    haven = await start()
    await haven.post(webhook(message("location", {"latitude": 33.89384, "longitude": 35.50176, "name": "Hamra St 12",
                                                  "address": "Hamra Street 12, Beirut", "url": "https://x.example"})))
    [received] = haven.agent.received
    assert received.text == '/share_location{"latitude": 33.89, "longitude": 35.5}'
    # What Rasa stores besides the text: no raw webhook, so no coordinates, place name or address.
    assert received.metadata == {"whatsapp": {"message_id": received.message_id, "type": "location"}}
    stored = json.dumps([received.text, received.metadata, received.message_id, received.sender_id])
    assert not any(secret in stored for secret in ("33.8938", "35.5017", "35.5018", "Hamra", "Beirut", "example"))


async def test_a_lone_surrogate_is_answered_like_any_text(start, graph):
    haven = await start()
    body = json.dumps(webhook(text("hi \ud800\x00"))).encode()  # json.dumps writes "\\ud800" as Meta would
    assert b"\\ud800" in body
    assert (await haven.post(None, body=body))[0] == 200
    assert [m.text for m in haven.agent.received] == ["hi \ufffd"]
    assert graph.texts() == ["echo: hi \ufffd"]


async def test_a_sender_id_that_is_not_digits_is_skipped(start, graph, caplog):
    haven = await start()
    forged = dict(text("hello"), **{"from": "rest-alice"})
    with caplog.at_level(logging.WARNING):
        assert await haven.post(webhook(forged)) == (200, "EVENT_RECEIVED")
    assert haven.agent.received == [] and graph.requests == []
    assert "not 5-20 digits" in caplog.text and "rest-alice" not in caplog.text


async def test_a_chosen_button_reaches_the_bot_as_its_payload(start):
    haven = await start()
    reply = {"type": "button_reply", "button_reply": {"id": '/choose_language{"language": "fr"}', "title": "Français"}}
    await haven.post(webhook(message("interactive", reply)))
    assert [m.text for m in haven.agent.received] == ['/choose_language{"language": "fr"}']


async def test_a_message_too_long_gets_an_answer_and_never_reaches_the_bot(start, graph, monkeypatch):
    monkeypatch.setenv("HAVEN_MAX_MESSAGE_CHARS", "50")
    haven = await start()
    await haven.post(webhook(text("x" * 51)))
    assert haven.agent.received == []
    assert graph.texts() == [channel_text("too_long", "en", max_chars=50)]


async def test_a_silent_turn_gets_the_guards_apology(start, graph):
    tracker = DialogueStateTracker.from_events(WA_ID, [UserUttered("hello")])
    haven = await start(FakeAgent(reply=lambda m: [], tracker=tracker))
    await haven.post(webhook(text("hello")))
    assert graph.texts() == ["[utter_service_unavailable]"]


# --- Outgoing messages ---

LANGUAGES = [{"title": "English", "payload": '/choose_language{"language": "en"}'},
             {"title": "Français", "payload": '/choose_language{"language": "fr"}'}]


async def test_two_buttons_become_an_interactive_button_message(start, graph):
    haven = await start(FakeAgent(reply=lambda m: [{"text": "Which language?", "buttons": LANGUAGES}]))
    await haven.post(webhook(text("hi")))
    [sent] = graph.delivered
    assert sent["type"] == "interactive" and sent["interactive"]["type"] == "button"
    assert [b["reply"] for b in sent["interactive"]["action"]["buttons"]] == [
        {"id": '/choose_language{"language": "en"}', "title": "English"},
        {"id": '/choose_language{"language": "fr"}', "title": "Français"}]


async def test_five_buttons_become_a_list_message(start, graph):
    buttons = [{"title": f"Service {i}", "payload": f"/service{i}"} for i in range(5)]
    haven = await start(FakeAgent(reply=lambda m: [{"text": "What do you need?", "buttons": buttons}]))
    await haven.post(webhook(text("hi")))
    [sent] = graph.delivered
    assert sent["interactive"]["type"] == "list"
    assert sent["interactive"]["action"]["button"] == channel_text("menu", "en")
    assert [r["id"] for r in sent["interactive"]["action"]["sections"][0]["rows"]] == [f"/service{i}" for i in range(5)]


async def test_a_long_answer_is_split_into_several_messages(start, graph):
    long_answer = "\n\n".join(f"Centre {i}: " + " ".join(["details"] * 120) for i in range(12))
    haven = await start(FakeAgent(reply=lambda m: [{"text": long_answer}]))
    await haven.post(webhook(text("centres")))
    parts = graph.texts()
    assert len(parts) >= 3 and all(len(p) <= 4096 for p in parts)
    assert "\n\n".join(parts) == long_answer


async def test_a_graph_500_is_retried_and_the_message_delivered_once(start, graph):
    graph.failures.append((500, {"error": {"message": "Internal", "code": 1}}, {}))
    haven = await start()
    await haven.post(webhook(text("hello")))
    assert len(graph.requests) == 2 and graph.texts() == ["echo: hello"]


async def test_a_429_waits_for_retry_after(start, graph):
    graph.failures.append((429, {"error": {"message": "Too many", "code": 130429}}, {"Retry-After": "0.2"}))
    haven = await start(retry_policy=RetryPolicy(retries=2, base_delay=0.001, max_delay=1))
    await haven.post(webhook(text("hello")))
    first, second = graph.requests
    assert second["at"] - first["at"] >= 0.19 and graph.texts() == ["echo: hello"]


async def test_a_400_is_not_retried_and_does_not_crash_the_turn(start, graph):
    graph.failures.append((400, {"error": {"message": "Invalid parameter", "code": 100}}, {}))
    haven = await start(FakeAgent(reply=lambda m: [{"text": "one"}, {"text": "two"}]))
    await haven.post(webhook(text("hello")))
    assert len(graph.requests) == 2 and graph.texts() == ["two"]


async def test_an_unreachable_graph_api_is_retried_then_logged(start, caplog):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    haven = await start(api_base_url=f"http://127.0.0.1:{closed_port}")
    with caplog.at_level(logging.WARNING):
        assert (await haven.post(webhook(text("hello"))))[0] == 200
    assert len(haven.agent.received) == 1
    assert sum("retry" in r.getMessage() for r in caplog.records) == FAST.retries
    assert any("failed" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


# --- The 24-hour window (messages nobody is answering: the hotline console) ---

async def test_outside_the_24_hour_window_the_output_channel_refuses(start, graph):
    haven = await start()
    output = haven.channel.get_output_channel()
    with pytest.raises(OutsideServiceWindow, match="within 24 hours.*no message from this user"):
        await output.send_text_message(WA_ID, "A hotline volunteer here.")
    haven.channel.store.record_inbound(WA_ID, utcnow() - timedelta(hours=25))
    with pytest.raises(OutsideServiceWindow, match="last message was at 20"):
        await output.send_response(WA_ID, {"text": "A hotline volunteer here."})
    assert graph.requests == []


async def test_inside_the_window_the_output_channel_sends(start, graph):
    haven = await start(FakeAgent(reply=lambda m: []))
    await haven.post(webhook(text("hello")))
    await haven.channel.get_output_channel().send_response(WA_ID, {"text": "A hotline volunteer here."})
    assert graph.texts() == ["A hotline volunteer here."]


async def test_a_custom_message_for_another_channel_is_not_posted_to_whatsapp(start, graph):
    """The web widget's forget-device instruction is a custom message without a WhatsApp `type`."""
    haven = await start(FakeAgent(reply=lambda m: []))
    await haven.post(webhook(text("hello")))
    output = haven.channel.get_output_channel()
    await output.send_response(WA_ID, {"text": "Deleted.", "custom": {"data": {"haven": "forget_device"}}})
    assert graph.texts() == ["Deleted."] and len(graph.requests) == 1


async def test_metas_re_engagement_error_is_the_same_refusal(start, graph):
    haven = await start(FakeAgent(reply=lambda m: []))
    await haven.post(webhook(text("hello")))
    graph.failures.append((400, {"error": {"message": "Re-engagement message", "code": 131047}}, {}))
    with pytest.raises(OutsideServiceWindow, match="131047"):
        await haven.channel.get_output_channel().send_text_message(WA_ID, "Still there?")
    graph.failures.append((400, {"error": {"message": "Invalid", "code": 100}}, {}))
    with pytest.raises(GraphError):
        await haven.channel.get_output_channel().send_text_message(WA_ID, "Still there?")


async def test_rasas_http_api_picks_this_output_channel_for_output_channel_latest(start):
    from rasa.server import _get_output_channel

    haven = await start()
    tracker = DialogueStateTracker.from_events(WA_ID, [UserUttered("hi", input_channel="whatsapp")])
    request = SimpleNamespace(args={"output_channel": "latest"}, app=haven.app)
    output = _get_output_channel(request, tracker)
    assert isinstance(output, WhatsAppOutput) and output.strict


# --- Privacy ---

async def test_the_phone_number_never_appears_in_the_logs(start, graph, caplog):
    caplog.set_level(logging.DEBUG)
    haven = await start()
    graph.failures.append((400, {"error": {"message": "Invalid parameter", "code": 100}}, {}))
    wamid = "wamid." + base64.b64encode(b"\x1c\x18\x0b" + WA_ID.encode() + b"\x15\x02\x00\x12\x18").decode()
    payload = webhook(text("hello", wamid))
    await haven.post(payload)
    await haven.post(payload)
    await haven.post(webhook(message("sticker", {"id": "MEDIA_ID"})))
    await haven.post(webhook(statuses=[{"id": wamid, "status": "failed", "recipient_id": WA_ID,
                                        "errors": [{"code": 131026, "title": "Message undeliverable"}]}]))
    with pytest.raises(OutsideServiceWindow):
        await haven.channel.get_output_channel().send_text_message("449999999999", "hi")
    assert len(haven.agent.received) == 1
    assert caplog.records and WA_ID not in caplog.text and "449999999999" not in caplog.text
    assert wamid not in caplog.text and wamid[6:20] not in caplog.text
    assert haven.channel.who(WA_ID) in caplog.text and "already handled" in caplog.text
