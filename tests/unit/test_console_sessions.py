"""Console sessions live on the server (issue 18, item 6) and logins are throttled per account and address
with growing delays instead of a hard lock (item 9).

A cookie captured before logout, before its agent was disabled or after its session expired must log
nobody in; the database keeps only a hash of the cookie's token; someone hammering an account from one
address must not keep the agent out from their own address."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any, Dict, List

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hotline import accounts, console_sessions
from hotline.db import session_scope
from hotline.login_throttle import MAX_DELAY_SECONDS, LoginThrottle
from hotline.models import ConsoleSession, utcnow
from tests.unit.test_console_api import start_fake_rasa

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@web.middleware
async def remote_from_header(request: web.Request, handler: Any) -> web.StreamResponse:
    """Test only: lets a request come "from" another address (aiohttp's test client is always 127.0.0.1)."""
    remote = request.headers.get("X-Test-Remote")
    return await handler(request.clone(remote=remote) if remote else request)


@pytest.fixture()
async def console(tmp_path, monkeypatch):
    from web import console as console_module
    from web.app import create_app

    fake, rasa_server = await start_fake_rasa(tmp_path, monkeypatch)
    with session_scope() as s:
        accounts.create_agent(s, "amina", "Amina", PASSWORD)
    app = create_app()
    app.middlewares.append(remote_from_header)
    clock = Clock()
    app[console_module.THROTTLE] = LoginThrottle(clock=clock)
    server = TestServer(app)
    await server.start_server()
    clients: List[TestClient] = []

    async def new_client() -> TestClient:
        client = TestClient(server)
        clients.append(client)
        return client

    yield new_client, clock
    for client in clients:
        await client.close()
    await server.close()
    await rasa_server.close()


async def attempt(client: TestClient, password: str, address: str = "127.0.0.1", username: str = "amina"):
    """One login from `address`; returns the answer to the form's POST."""
    headers = {"X-Test-Remote": address}
    page = await (await client.get("/console/login", headers=headers)).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return await client.post("/console/login", headers=headers, allow_redirects=False,
                             data={"csrf": csrf, "username": username, "password": password})


async def log_in(client: TestClient, address: str = "127.0.0.1") -> Dict[str, str]:
    """Logs in; returns the session token (the cookie's value) and the page's CSRF token."""
    response = await attempt(client, PASSWORD, address)
    assert response.status == 302 and response.headers["Location"] == "/console"
    token = response.cookies["haven_console"].value
    page = await (await client.get("/console")).text()
    return {"token": token, "csrf": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)}


async def replay(new_client, token: str) -> List[int]:
    """A stranger's browser with a copy of the cookie: the API's status and the queue page's status."""
    thief = await new_client()
    cookie = {"Cookie": f"haven_console={token}"}
    api = await thief.get("/console/api/queue", headers=cookie)
    page = await thief.get("/console", headers=cookie, allow_redirects=False)
    if page.status == 302:
        assert page.headers["Location"] == "/console/login"
    return [api.status, page.status]


def stored_sessions() -> List[ConsoleSession]:
    with session_scope() as s:
        return list(s.query(ConsoleSession))


# -- server-side sessions ------------------------------------------------------------------------------------
async def test_the_cookie_holds_a_random_token_and_the_database_only_its_hash(console) -> None:
    new_client, _ = console
    client = await new_client()
    response = await attempt(client, PASSWORD)
    cookie = response.cookies["haven_console"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/console"
    assert not cookie["secure"]  # plain http here; see the next test
    token = cookie.value
    assert len(token) >= 40
    [record] = stored_sessions()
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in record.token_hash
    assert record.expires_at - record.created_at == timedelta(seconds=console_sessions.SESSION_SECONDS)
    assert await replay(new_client, token) == [200, 200]  # the cookie alone is the session (as a browser)


async def test_the_cookies_are_secure_when_asked(console, monkeypatch) -> None:
    new_client, _ = console
    client = await new_client()
    page = await client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    monkeypatch.setenv("HAVEN_CONSOLE_SECURE_COOKIE", "1")  # after the login cookie came over plain http
    response = await client.post("/console/login", allow_redirects=False,
                                 data={"csrf": csrf, "username": "amina", "password": PASSWORD})
    assert response.cookies["haven_console"]["secure"]
    assert (await (await new_client()).get("/console/login")).cookies["haven_console_login"]["secure"]


async def test_a_cookie_replayed_after_logout_is_refused(console) -> None:
    new_client, _ = console
    client = await new_client()
    session = await log_in(client)
    response = await client.post("/console/logout", headers={"X-CSRF-Token": session["csrf"]})
    assert response.status == 200
    assert stored_sessions() == []
    assert await replay(new_client, session["token"]) == [401, 302]


async def test_logging_in_again_ends_the_old_session_and_its_csrf_token(console) -> None:
    new_client, _ = console
    client = await new_client()
    first = await log_in(client)
    second = await log_in(client)
    assert first["token"] != second["token"] and first["csrf"] != second["csrf"]
    assert len(stored_sessions()) == 1
    assert await replay(new_client, first["token"]) == [401, 302]
    response = await client.post("/console/logout", headers={"X-CSRF-Token": first["csrf"]})
    assert response.status == 403  # the old session's CSRF token does not fit the new session


async def test_disabling_an_agent_ends_their_sessions_at_once(console, capsys) -> None:
    new_client, _ = console
    office, home = await new_client(), await new_client()
    await log_in(office)
    await log_in(home, address="192.0.2.7")
    assert (await office.get("/console/api/queue")).status == 200
    assert accounts.main(["disable", "amina"]) == 0
    assert "ended 2 console session(s)" in capsys.readouterr().out
    assert stored_sessions() == []
    for client in (office, home):
        assert (await client.get("/console/api/queue")).status == 401
    assert (await attempt(await new_client(), PASSWORD)).headers["Location"] == "/console/login?error=wrong"


async def test_the_logout_command_ends_every_session_but_keeps_the_account(console, capsys) -> None:
    new_client, _ = console
    client = await new_client()
    session = await log_in(client)
    assert accounts.main(["logout", "amina"]) == 0
    assert "Ended 1 console session(s)" in capsys.readouterr().out
    assert await replay(new_client, session["token"]) == [401, 302]
    await log_in(client)
    assert accounts.main(["logout", "nobody"]) == 2


async def test_a_deactivated_agents_session_is_refused_even_if_its_row_is_left(console) -> None:
    new_client, _ = console
    client = await new_client()
    session = await log_in(client)
    with session_scope() as s:  # e.g. someone set active = false by hand in the database
        accounts.find_agent(s, "amina").active = False
    assert await replay(new_client, session["token"]) == [401, 302]
    assert stored_sessions() == []


@pytest.mark.parametrize("field,age", [("expires_at", timedelta(seconds=1)),
                                       ("last_seen", timedelta(seconds=console_sessions.IDLE_SECONDS + 1))])
async def test_expired_and_idle_sessions_are_refused_and_deleted(console, field: str, age: timedelta) -> None:
    new_client, _ = console
    client = await new_client()
    session = await log_in(client)
    with session_scope() as s:
        record = s.query(ConsoleSession).one()
        setattr(record, field, utcnow() - age)
    assert await replay(new_client, session["token"]) == [401, 302]
    assert stored_sessions() == []


async def test_expired_sessions_of_others_are_cleaned_at_the_next_login(console) -> None:
    new_client, _ = console
    await log_in(await new_client())
    with session_scope() as s:
        s.query(ConsoleSession).one().expires_at = utcnow() - timedelta(minutes=1)
    await log_in(await new_client())
    assert len(stored_sessions()) == 1


async def test_forged_and_foreign_cookies_are_refused(console) -> None:
    new_client, _ = console
    await log_in(await new_client())
    [record] = stored_sessions()
    for forged in ("x", "A" * 43, record.token_hash, "y" * 5000):
        assert await replay(new_client, forged) == [401, 302]


async def test_the_last_seen_time_is_kept_without_a_write_on_every_poll(console) -> None:
    new_client, _ = console
    client = await new_client()
    await log_in(client)
    with session_scope() as s:
        s.query(ConsoleSession).one().last_seen = utcnow() - timedelta(minutes=5)
    assert (await client.get("/console/api/queue")).status == 200
    [record] = stored_sessions()
    assert utcnow() - record.last_seen < timedelta(minutes=1)


# -- throttling ------------------------------------------------------------------------------------------------
async def test_an_attacker_on_one_address_does_not_lock_the_agent_out_elsewhere(console) -> None:
    new_client, clock = console
    attacker, agent = await new_client(), await new_client()
    refused = 0
    for _ in range(30):
        response = await attempt(attacker, "guess guess guess", address="203.0.113.9")
        refused += response.status == 429
        clock.now += 1
    assert refused > 20  # most of the attacker's tries were not even checked
    response = await attempt(attacker, PASSWORD, address="203.0.113.9")
    assert response.status == 429 and int(response.headers["Retry-After"]) > 0  # nor the right password
    await log_in(agent, address="198.51.100.4")  # the agent, from their own address, gets in at once
    assert (await agent.get("/console/api/queue")).status == 200


async def test_the_delay_grows_and_then_passes(console) -> None:
    new_client, clock = console
    client = await new_client()
    waits = []
    for _ in range(6):
        response = await attempt(client, "wrong password!")
        if response.status == 429:
            wait = int(response.headers["Retry-After"])
            waits.append(wait)
            clock.now += wait  # wait as told, then try again
            response = await attempt(client, "wrong password!")
        assert response.headers["Location"] == "/console/login?error=wrong"
    assert waits == [2, 4, 8]
    assert (await attempt(client, PASSWORD)).status == 429
    clock.now += 16
    await log_in(client)  # no hard lock: once the delay has passed, the right password works


def test_the_throttle_keys_on_account_and_address_and_forgets() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(3):
        throttle.failed("Amina", "203.0.113.9")
    assert throttle.retry_after("amina", "203.0.113.9") == 2
    assert throttle.retry_after("omar", "203.0.113.9") == 0  # another account from there: still free
    assert throttle.retry_after("amina", "198.51.100.4") == 0  # the same account from elsewhere: free
    for user in range(10):  # many accounts from one address: the address itself slows down
        throttle.failed(f"user{user}", "203.0.113.9")
    assert throttle.retry_after("omar", "203.0.113.9") > 0
    for _ in range(40):
        throttle.failed("amina", "203.0.113.9")
    assert throttle.retry_after("amina", "203.0.113.9") == MAX_DELAY_SECONDS  # capped, never a lock
    clock.now += 2 * 3600
    assert throttle.retry_after("amina", "203.0.113.9") == 0
    throttle.failed("omar", "192.0.2.1")  # the next failure sweeps what is forgotten
    assert set(throttle.failures) == {("account", "omar", "192.0.2.1"), ("address", "192.0.2.1")}


def test_a_success_clears_the_accounts_count_but_not_the_addresss() -> None:
    throttle = LoginThrottle(clock=Clock())
    for user in ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"):
        throttle.failed(user, "203.0.113.9")
    throttle.failed("mine", "203.0.113.9")
    throttle.succeeded("mine", "203.0.113.9")
    assert ("account", "mine", "203.0.113.9") not in throttle.failures
    assert throttle.retry_after("someone", "203.0.113.9") > 0


def test_client_address_trusts_forwarded_for_only_from_configured_proxies(monkeypatch) -> None:
    from aiohttp.test_utils import make_mocked_request

    from web import console as console_module

    app = web.Application()
    app[console_module.PROXIES] = frozenset({"10.0.0.2"})

    def address(remote: str, forwarded: str) -> str:
        request = make_mocked_request("POST", "/console/login", headers={"X-Forwarded-For": forwarded}, app=app)
        return console_module.client_address(request.clone(remote=remote))

    assert address("10.0.0.2", "1.2.3.4, 198.51.100.4") == "198.51.100.4"
    assert address("10.0.0.2", "not an address") == "10.0.0.2"
    assert address("203.0.113.9", "198.51.100.4") == "203.0.113.9"  # anyone else cannot pick an address
