"""The web app's security suite (issue 18): EVERY route registered on the app is called (the list comes from
`app.router.routes()`, so a new route cannot be forgotten) without a session, with forged, expired and
logged-out cookies, and, for state changes, without or with a wrong CSRF token. Only the routes in PUBLIC
may answer a stranger; a console route added without `agent_required` fails this suite. Every answer,
whatever its status, carries the same security headers (item 14)."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Dict, List, Optional, Set, Tuple

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hotline import queue
from hotline.accounts import create_agent
from hotline.db import session_scope
from hotline.models import WAITING, ConsoleSession, HandoffRequest, utcnow
from tests.unit.test_console_api import FakeRasa, start_fake_rasa

PASSWORD = "correct horse battery"
#: (method, path template) that answer without an agent. Everything else needs a live console session.
PUBLIC: Set[Tuple[str, str]] = {
    ("GET", "/"), ("GET", "/privacy"), ("GET", "/widget.js"), ("GET", "/health"),
    ("GET", "/console/login"), ("POST", "/console/login"),
    ("GET", "/console/static"),  # the console's CSS and JS, needed by the login page; no data
}
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
SAFE = ("GET", "HEAD")


class Route:
    """One registered route made callable: its method, its template and a concrete path to call."""

    def __init__(self, route: web.AbstractRoute, request_id: int) -> None:
        info = route.resource.get_info() if route.resource is not None else {}
        self.method = route.method
        self.template = info.get("path") or info.get("formatter") or info.get("prefix") or "?"
        if "prefix" in info:  # a static directory: one of its files
            self.path = self.template.rstrip("/") + "/console.js"
        else:
            self.path = re.sub(r"\{[^}]+\}", str(request_id), self.template)
        self.handler = route.handler

    @property
    def public(self) -> bool:
        return ("GET" if self.method == "HEAD" else self.method, self.template) in PUBLIC

    def __repr__(self) -> str:
        return f"{self.method} {self.template}"


def routes(app: web.Application, request_id: int) -> List[Route]:
    found = [Route(route, request_id) for route in app.router.routes()]
    assert found, "no routes found"
    return found


def assert_security_headers(response: Any, what: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{what}: {name} is {response.headers.get(name)!r}"
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, f"{what}: CSP is {csp!r}"


@pytest.fixture()
async def site(tmp_path, monkeypatch):
    fake, rasa_server = await start_fake_rasa(tmp_path, monkeypatch)
    from web.app import create_app

    with session_scope() as s:
        create_agent(s, "amina", "Amina", PASSWORD)
        request_id = queue.enqueue(s, "user-1", "socketio", "fr", "asked_for_person").request.id
    app = create_app()
    yield fake, app, rasa_server, request_id
    await rasa_server.close()


@pytest.fixture()
async def started(site):
    fake, app, _, request_id = site
    server = TestServer(app)
    await server.start_server()
    clients: List[TestClient] = []

    async def new_client() -> TestClient:
        clients.append(TestClient(server))
        return clients[-1]

    yield fake, app, new_client, request_id
    for client in clients:
        await client.close()
    await server.close()


async def log_in(client: TestClient) -> Dict[str, str]:
    page = await (await client.get("/console/login")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    response = await client.post("/console/login", allow_redirects=False,
                                 data={"csrf": csrf, "username": "amina", "password": PASSWORD})
    assert response.headers["Location"] == "/console"
    page = await (await client.get("/console")).text()
    return {"token": response.cookies["haven_console"].value,
            "csrf": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)}


async def call(client: TestClient, route: Route, cookie: Optional[str] = None,
               csrf: Optional[str] = None) -> Tuple[int, str, Any]:
    headers = {}
    if cookie is not None:
        headers["Cookie"] = f"haven_console={cookie}"
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    response = await client.request(route.method, route.path, headers=headers, allow_redirects=False,
                                    json=None if route.method in SAFE else {"text": "hi", "note": "a note"})
    return response.status, response.headers.get("Location", ""), response


async def refusals(client: TestClient, app: web.Application, request_id: int,
                   cookie: Optional[str] = None) -> List[str]:
    """What each protected route answered that is not a refusal (401 for the API and state changes, a
    redirect to the login page for pages); an empty list means every one refused."""
    problems = []
    for route in routes(app, request_id):
        if route.public:
            continue
        status, location, response = await call(client, route, cookie)
        page = route.method in SAFE and not route.template.startswith("/console/api/")
        expected = (302, "/console/login") if page else (401, "")
        if (status, location) != expected:
            problems.append(f"{route}: {status} {location}")
        assert_security_headers(response, repr(route))
    return problems


def untouched(fake: FakeRasa, request_id: int) -> None:
    assert fake.appended == []
    with session_scope() as s:
        handoff = s.get(HandoffRequest, request_id)
        assert handoff.status == WAITING and handoff.agent_id is None and handoff.note is None


# -- the list of routes ------------------------------------------------------------------------------------------
async def test_the_public_list_names_only_routes_that_exist(site) -> None:
    _, app, _, request_id = site
    registered = {("GET" if r.method == "HEAD" else r.method, r.template) for r in routes(app, request_id)}
    assert PUBLIC <= registered, f"stale entries in PUBLIC: {PUBLIC - registered}"
    assert any(t.startswith("/console/api/") for _, t in registered)  # the enumeration sees the console


async def test_every_protected_handler_is_wrapped_by_agent_required(site) -> None:
    _, app, _, request_id = site
    bare = [r for r in routes(app, request_id) if not r.public and not getattr(r.handler, "agent_required", False)]
    assert bare == []


# -- strangers ----------------------------------------------------------------------------------------------------
async def test_every_route_refuses_a_request_without_a_session(started) -> None:
    fake, app, new_client, request_id = started
    assert await refusals(await new_client(), app, request_id) == []
    untouched(fake, request_id)


async def test_every_route_refuses_forged_expired_and_logged_out_cookies(started) -> None:
    fake, app, new_client, request_id = started
    expired, logged_out = await log_in(await new_client()), await log_in(await new_client())
    with session_scope() as s:
        s.query(ConsoleSession).filter(ConsoleSession.id == 1).one().expires_at = utcnow() - timedelta(seconds=1)
    client = await new_client()
    response = await client.post("/console/logout", headers={"Cookie": f"haven_console={logged_out['token']}",
                                                             "X-CSRF-Token": logged_out["csrf"]})
    assert response.status == 200
    for cookie in ("forged", "A" * 43, "", expired["token"], logged_out["token"], expired["csrf"]):
        assert await refusals(await new_client(), app, request_id, cookie) == [], cookie
    untouched(fake, request_id)


async def test_every_state_change_needs_the_sessions_csrf_token(started) -> None:
    fake, app, new_client, request_id = started
    other = await log_in(await new_client())
    agent = await log_in(await new_client())
    changes = [r for r in routes(app, request_id) if r.method not in SAFE and not r.public]
    assert changes
    client = await new_client()
    for route in changes:
        for csrf in (None, "", "forged", other["csrf"], agent["token"]):
            status, _, response = await call(client, route, agent["token"], csrf)
            assert status == 403, f"{route} with CSRF {csrf!r}: {status}"
            assert_security_headers(response, repr(route))
    untouched(fake, request_id)
    assert (await client.get("/console/api/queue", headers={"Cookie": f"haven_console={agent['token']}"})).status \
        == 200  # the forged logout did not end the session


async def test_public_routes_stay_public(started) -> None:
    _, app, new_client, request_id = started
    client = await new_client()
    for route in routes(app, request_id):
        if route.public and route.method in SAFE:
            status, _, response = await call(client, route)
            allowed = {200, 503} if route.template == "/widget.js" else {200}  # 503: widget not built here
            assert status in allowed, f"{route}: {status}"
            assert_security_headers(response, repr(route))
    response = await client.post("/console/login", data={"username": "amina", "password": PASSWORD},
                                 allow_redirects=False)
    assert response.headers["Location"] == "/console/login?error=expired"  # the form's own CSRF token


async def test_the_suite_catches_a_console_route_added_without_protection(site) -> None:
    _, app, _, request_id = site

    async def leak(request: web.Request) -> web.Response:
        return web.json_response({"requests": ["everything"]})

    app.router.add_get("/console/api/leak", leak)
    app.router.add_post("/console/api/leak", leak)
    server = TestServer(app)
    await server.start_server()
    client = TestClient(server)
    try:
        assert sorted(await refusals(client, app, request_id)) == ["GET /console/api/leak: 200 ",
                                                                   "HEAD /console/api/leak: 200 ",
                                                                   "POST /console/api/leak: 200 "]
    finally:
        await client.close()
        await server.close()


# -- security headers on every status ---------------------------------------------------------------------------
async def test_every_status_carries_the_security_headers(started, monkeypatch) -> None:
    _, _, new_client, request_id = started
    client = await new_client()
    seen: Dict[int, str] = {}

    async def check(method: str, path: str, status: int, **kwargs: Any) -> None:
        response = await client.request(method, path, allow_redirects=False, **kwargs)
        assert response.status == status, f"{method} {path}: {response.status}"
        assert_security_headers(response, f"{method} {path} ({status})")
        seen[status] = path

    await check("GET", "/", 200)
    await check("GET", "/console/static/console.css", 200)
    await check("GET", "/console", 302)
    await check("GET", "/console/api/queue", 401)
    await check("GET", "/nowhere", 404)
    await check("GET", "/console/static/nothing.js", 404)
    await check("GET", "/console/conversations/not-a-number", 404)
    await check("PUT", "/health", 405)
    await check("POST", "/", 405)
    session = await log_in(client)
    await check("POST", f"/console/api/requests/{request_id}/take", 403)
    await check("GET", "/console/api/requests/999999", 404)
    await check("POST", f"/console/api/requests/{request_id}/close", 400, data=b"not json",
                headers={"X-CSRF-Token": session["csrf"]})
    await check("POST", f"/console/api/requests/{request_id}/messages", 409, json={"text": "not taken"},
                headers={"X-CSRF-Token": session["csrf"]})

    def broken(*_: Any) -> int:
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr("web.app.erasure.retention_days", broken)
    await check("GET", "/privacy", 500)
    body = await (await client.get("/privacy")).text()
    assert "secret detail" not in body and "RuntimeError" not in body
    assert set(seen) == {200, 302, 400, 401, 403, 404, 405, 409, 500}


async def test_console_answers_are_never_cached(started) -> None:
    _, _, new_client, _ = started
    client = await new_client()
    for path in ("/console", "/console/api/queue", "/console/login"):
        assert (await client.get(path, allow_redirects=False)).headers.get("Cache-Control") == "no-store", path
    await log_in(client)
    assert (await client.get("/console/api/queue")).headers.get("Cache-Control") == "no-store"
