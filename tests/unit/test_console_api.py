"""The hotline console's HTTP API against a fake Rasa HTTP API: every route needs a logged-in agent, every
state change needs the CSRF token, a conversation cannot be taken twice, and the bot is paused, resumed and
the user told, in their language, through Rasa."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hotline import queue
from hotline.accounts import create_agent
from hotline.db import session_scope

TOKEN = "fake-rasa-token"


class FakeRasa:
    """Records the events the console appends; serves a tracker."""

    def __init__(self) -> None:
        self.appended: List[Dict[str, Any]] = []
        self.slots: Dict[str, Any] = {"language": "fr", "host_country": "LY"}
        self.fail_deliveries = False
        self.app = web.Application()
        self.app.add_routes([web.get("/conversations/{cid}/tracker", self.tracker),
                             web.post("/conversations/{cid}/tracker/events", self.events)])

    async def tracker(self, request: web.Request) -> web.Response:
        if request.query.get("token") != TOKEN:
            return web.json_response({"message": "unauthorized"}, status=401)
        events = [{"event": "user", "text": "<img src=x onerror=alert(1)>", "timestamp": 1.0,
                   "parse_data": {"language": {"name": "fr", "confidence": 0.9}}}]
        events += [{"event": e["event"], "text": e.get("text"), "metadata": e.get("metadata"), "timestamp": 2.0}
                   for c, e, _ in self.appended if c == request.match_info["cid"]]
        return web.json_response({"sender_id": request.match_info["cid"], "slots": self.slots, "events": events,
                                  "paused": False, "latest_input_channel": "socketio"})

    async def events(self, request: web.Request) -> web.Response:
        if request.query.get("token") != TOKEN:
            return web.json_response({"message": "unauthorized"}, status=401)
        if self.fail_deliveries and request.query.get("execute_side_effects"):
            return web.json_response({"status": "failure", "reason": "ConversationError",
                                      "message": "An unexpected error occurred. Error: outside the window"},
                                     status=500)
        for event in await request.json():
            self.appended.append((request.match_info["cid"], event, dict(request.query)))
        return web.json_response({})

    def kinds(self, conversation: str) -> List[str]:
        return [e["event"] for c, e, _ in self.appended if c == conversation]


async def start_fake_rasa(tmp_path, monkeypatch) -> Tuple["FakeRasa", TestServer]:
    """A fake Rasa API on a free port and the environment a console needs to use it (its own hotline
    database, token and console secret; no background erasure job, which has its own tests)."""
    fake = FakeRasa()
    rasa_server = TestServer(fake.app)
    await rasa_server.start_server()
    monkeypatch.setenv("HAVEN_HOTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'hotline.db'}")
    monkeypatch.setenv("HAVEN_RASA_URL", str(rasa_server.make_url("")).rstrip("/"))
    monkeypatch.setenv("HAVEN_RASA_TOKEN", TOKEN)
    monkeypatch.setenv("HAVEN_CONSOLE_SECRET", "test secret")
    monkeypatch.setenv("HAVEN_ERASURE_INTERVAL_SECONDS", "0")
    return fake, rasa_server


@pytest.fixture()
async def setup(tmp_path, monkeypatch):
    fake, rasa_server = await start_fake_rasa(tmp_path, monkeypatch)
    from web.app import create_app

    with session_scope() as s:
        create_agent(s, "amina", "Amina", "correct horse battery")
        create_agent(s, "omar", "Omar", "another long passphrase")
        request_id = queue.enqueue(s, "user-1", "socketio", "fr", "asked_for_person").request.id
    server = TestServer(create_app())
    await server.start_server()
    clients = [TestClient(server), TestClient(server)]
    yield fake, server, clients, request_id
    for client in clients:
        await client.close()
    await server.close()
    await rasa_server.close()


async def log_in(client: TestClient, username: str, password: str) -> str:
    page = await (await client.get("/console/login")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    response = await client.post("/console/login", data={"csrf": csrf, "username": username, "password": password},
                                 allow_redirects=False)
    assert response.status == 302
    if response.headers["Location"] != "/console":
        return ""
    page = await (await client.get("/console")).text()
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


ROUTES = [("GET", "/console/api/queue"), ("GET", "/console/api/requests/{id}"),
          ("POST", "/console/api/requests/{id}/take"), ("POST", "/console/api/requests/{id}/messages"),
          ("POST", "/console/api/requests/{id}/handback"), ("POST", "/console/api/requests/{id}/close"),
          ("POST", "/console/logout")]


async def test_every_route_needs_a_logged_in_agent(setup) -> None:
    fake, _, (client, _), request_id = setup
    for method, path in ROUTES:
        response = await client.request(method, path.format(id=request_id), json={"text": "hi", "note": "x"})
        assert response.status == 401, path
    for page in ("/console", f"/console/conversations/{request_id}"):
        response = await client.get(page, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"] == "/console/login"
    assert fake.appended == []


async def test_wrong_password_and_forged_login_form_do_not_log_in(setup) -> None:
    _, _, (client, _), _ = setup
    assert await log_in(client, "amina", "wrong password!") == ""
    response = await client.post("/console/login", allow_redirects=False,
                                 data={"csrf": "forged", "username": "amina", "password": "correct horse battery"})
    assert response.headers["Location"] == "/console/login?error=expired"
    assert (await client.get("/console/api/queue")).status == 401


async def test_logins_are_throttled_after_repeated_failures(setup) -> None:
    _, _, (client, _), _ = setup
    for _ in range(3):
        await log_in(client, "amina", "wrong password!")
    page = await (await client.get("/console/login")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    response = await client.post("/console/login", allow_redirects=False,
                                 data={"csrf": csrf, "username": "amina", "password": "correct horse battery"})
    assert response.status == 429 and int(response.headers["Retry-After"]) > 0
    assert "Too many failed attempts" in await response.text()
    assert (await client.get("/console/api/queue")).status == 401


async def test_state_changes_need_the_csrf_token(setup) -> None:
    fake, _, (client, _), request_id = setup
    csrf = await log_in(client, "amina", "correct horse battery")
    assert csrf
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        response = await client.post(f"/console/api/requests/{request_id}/take", headers=headers)
        assert response.status == 403
    assert fake.appended == []
    assert (await client.post(f"/console/api/requests/{request_id}/take", headers={"X-CSRF-Token": csrf})).status == 200


async def test_take_over_talk_and_hand_back_in_the_users_language(setup) -> None:
    fake, _, (client, _), request_id = setup
    csrf = {"X-CSRF-Token": await log_in(client, "amina", "correct horse battery")}
    queue_before = await (await client.get("/console/api/queue")).json()
    assert [r["conversation_id"] for r in queue_before["requests"]] == ["user-1"]

    assert (await client.post(f"/console/api/requests/{request_id}/take", headers=csrf)).status == 200
    # The bot pauses and an open urgent case is now the agent's (bot.safety): both in one append.
    assert fake.kinds("user-1") == ["pause", "slot", "bot"]
    assert fake.appended[1][1] == {"event": "slot", "name": "urgent_case", "value": False}
    joined = fake.appended[2]
    assert "Amina" in joined[1]["text"] and "a rejoint" in joined[1]["text"]  # French: the user's language
    assert joined[2]["output_channel"] == "latest" and joined[2]["execute_side_effects"] == "true"

    response = await client.post(f"/console/api/requests/{request_id}/messages", headers=csrf,
                                 json={"text": "Bonjour, je suis là."})
    assert response.status == 200 and (await response.json())["delivered_now"]
    assert fake.appended[-1][1] == {"event": "bot", "text": "Bonjour, je suis là.",
                                    "metadata": {"hotline": True, "agent": "Amina"}}

    view = await (await client.get(f"/console/api/requests/{request_id}")).json()
    lines = view["conversation"]["lines"]
    assert lines[0] == {"from": "user", "text": "<img src=x onerror=alert(1)>", "language": "fr",
                        "time": lines[0]["time"]}
    assert lines[-1]["from"] == "agent" and view["conversation"]["slots"]["host_country"] == "LY"

    response = await client.post(f"/console/api/requests/{request_id}/handback", headers=csrf,
                                 json={"note": "Gave her the IOM office address."})
    assert response.status == 200
    assert fake.kinds("user-1")[-2:] == ["resume", "bot"] and "assistant Haven" in fake.appended[-1][1]["text"]
    assert (await (await client.get("/console/api/queue")).json())["requests"] == []


async def test_a_second_agent_cannot_take_or_speak_in_a_taken_conversation(setup) -> None:
    fake, _, (amina, omar), request_id = setup
    amina_csrf = {"X-CSRF-Token": await log_in(amina, "amina", "correct horse battery")}
    omar_csrf = {"X-CSRF-Token": await log_in(omar, "omar", "another long passphrase")}
    assert (await amina.post(f"/console/api/requests/{request_id}/take", headers=amina_csrf)).status == 200
    appended = len(fake.appended)
    assert (await omar.post(f"/console/api/requests/{request_id}/take", headers=omar_csrf)).status == 409
    response = await omar.post(f"/console/api/requests/{request_id}/messages", headers=omar_csrf, json={"text": "hi"})
    assert response.status == 409
    assert (await omar.post(f"/console/api/requests/{request_id}/handback", headers=omar_csrf,
                            json={"note": ""})).status == 409
    assert len(fake.appended) == appended


async def test_bad_messages_get_clear_errors(setup) -> None:
    fake, _, (client, _), request_id = setup
    csrf = {"X-CSRF-Token": await log_in(client, "amina", "correct horse battery")}
    await client.post(f"/console/api/requests/{request_id}/take", headers=csrf)
    for body, status in (({"text": ""}, 400), ({"text": "x" * 4001}, 400), ({"words": "hi"}, 400)):
        response = await client.post(f"/console/api/requests/{request_id}/messages", headers=csrf, json=body)
        assert response.status == status and "error" in await response.json()
    response = await client.post(f"/console/api/requests/{request_id}/messages", headers=csrf, data=b"not json")
    assert response.status == 400
    assert (await client.post(f"/console/api/requests/{request_id}/close", headers=csrf,
                              json={"note": "  "})).status == 400
    fake.fail_deliveries = True
    response = await client.post(f"/console/api/requests/{request_id}/messages", headers=csrf, json={"text": "hi"})
    assert response.status == 422 and "outside the window" in (await response.json())["error"]
    assert (await client.get("/console/api/requests/999999")).status == 404


async def test_logout_ends_the_session(setup) -> None:
    _, _, (client, _), _ = setup
    csrf = {"X-CSRF-Token": await log_in(client, "amina", "correct horse battery")}
    assert (await client.post("/console/logout", headers=csrf)).status == 200
    assert (await client.get("/console/api/queue")).status == 401
