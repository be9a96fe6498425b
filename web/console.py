"""The hotline console: agents log in, see who needs a person, take a conversation over, write to the
user on the user's own channel, and hand the conversation back to the bot.

Security: argon2 password hashes (hotline.accounts); server-side sessions (hotline.console_sessions) whose
random token is the only thing in the HttpOnly, SameSite=Strict cookie, so logout and disabling an agent end
them at once; a CSRF token per session required on every state-changing request (and a signed one on the
login form); login throttling per account and address with growing delays (hotline.login_throttle); and
Rasa's API token kept on the server. Every route but the login page and its static files needs an agent."""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Optional

import aiohttp
from aiohttp import web

from bot.translations import catalogue
from hotline import console_sessions, queue
from hotline.accounts import authenticate
from hotline.db import session_scope
from hotline.hours import Schedule
from hotline.login_throttle import LoginThrottle
from hotline.models import ASSIGNED, HandoffRequest, utcnow
from hotline.rasa_api import DeliveryRefused, RasaClient, RasaUnavailable, rasa_token
from hotline.transcript import summary
from web.settings import SETTINGS

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
MAX_AGENT_MESSAGE_CHARS = 4000
MAX_NOTE_CHARS = 2000
#: The session cookie (an agent's session token) and the login form's cookie (a nonce for its CSRF token).
SESSION_COOKIE, LOGIN_COOKIE = "haven_console", "haven_console_login"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RASA = web.AppKey("rasa", RasaClient)
SCHEDULE = web.AppKey("schedule", Schedule)
THROTTLE = web.AppKey("login_throttle", LoginThrottle)
SECRET = web.AppKey("console_secret", bytes)
PROXIES = web.AppKey("trusted_proxies", FrozenSet[str])


def secret_key() -> bytes:
    """32 bytes that sign the CSRF tokens: HAVEN_CONSOLE_SECRET, else var/console-secret. Every web app
    process of one deployment needs the same key."""
    configured = os.environ.get("HAVEN_CONSOLE_SECRET")
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    path = ROOT / "var" / "console-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return base64.urlsafe_b64decode(path.read_text().strip())


def _sign(request: web.Request, purpose: str, value: str) -> str:
    digest = hmac.new(request.app[SECRET], f"{purpose}:{value}".encode("utf-8", "surrogatepass"), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def _same(expected: str, presented: Any) -> bool:
    return isinstance(presented, str) and bool(presented) and hmac.compare_digest(expected, presented)


def session_csrf(request: web.Request) -> str:
    """The CSRF token of the session in the request's cookie (derived from the session token, so it is new
    with every login and needs no storage)."""
    return _sign(request, "csrf", request.cookies.get(SESSION_COOKIE, ""))


def client_address(request: web.Request) -> str:
    """The address to throttle. Behind a reverse proxy listed in HAVEN_TRUSTED_PROXIES, the address the proxy
    appended last to X-Forwarded-For (an address the client wrote itself is never trusted)."""
    remote = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if remote in request.app[PROXIES] and forwarded:
        candidate = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return remote
    return remote


def _set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, path: str) -> None:
    secure = request.secure or os.environ.get("HAVEN_CONSOLE_SECURE_COOKIE", "") == "1"
    response.set_cookie(name, value, path=path, httponly=True, samesite="Strict", secure=secure,
                        max_age=console_sessions.SESSION_SECONDS if name == SESSION_COOKIE else None)


def _redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location})


# -- who is asking ---------------------------------------------------------------------------------------
async def current_agent(request: web.Request) -> Optional[Dict[str, Any]]:
    """The agent of the request's session, if that session is alive in the database (not logged out, not
    expired, agent still active)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with session_scope() as db:
        agent = console_sessions.agent_for(db, token)
        if agent is None:
            return None
        return {"id": agent.id, "username": agent.username, "name": agent.display_name}


def agent_required(handler: Handler) -> Handler:
    """Pages redirect to the login page; API calls get 401. State changes also need the CSRF header.
    The security suite (tests/unit/test_web_security.py) calls every route to check this is in place."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        agent = await current_agent(request)
        is_api = request.path.startswith("/console/api/") or request.method not in ("GET", "HEAD")
        if agent is None:
            if is_api:
                return web.json_response({"error": "Log in first."}, status=401)
            return _redirect("/console/login")
        if request.method not in ("GET", "HEAD"):
            if not _same(session_csrf(request), request.headers.get("X-CSRF-Token")):
                return web.json_response({"error": "Missing or wrong CSRF token; reload the page."}, status=403)
        request["agent"] = agent
        return await handler(request)

    guarded.agent_required = True  # type: ignore[attr-defined]
    return guarded


# -- pages -------------------------------------------------------------------------------------------------
def _render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    from web.app import render

    response = render(name, **context)
    response.set_status(status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def login_page(request: web.Request, error: Optional[str] = None, status: int = 200,
                     retry_after: int = 0) -> web.Response:
    """The login form. Its CSRF token is signed from a nonce in a cookie of its own (nothing is stored on
    the server before someone has logged in)."""
    nonce = request.cookies.get(LOGIN_COOKIE) or ""
    fresh = not (16 <= len(nonce) <= 64)
    if fresh:
        nonce = secrets.token_urlsafe(32)
    response = _render(request, "console/login.html", status=status, csrf=_sign(request, "login", nonce),
                       error=error or request.query.get("error"), retry_after=retry_after)
    if fresh:
        _set_cookie(request, response, LOGIN_COOKIE, nonce, "/console/login")
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    if not _same(_sign(request, "login", request.cookies.get(LOGIN_COOKIE, "")), form.get("csrf")):
        return _redirect("/console/login?error=expired")
    username, password = str(form.get("username", ""))[:64], str(form.get("password", ""))[:256]
    throttle, address = request.app[THROTTLE], client_address(request)
    wait = throttle.retry_after(username, address)
    if wait:
        return await login_page(request, error="throttled", status=429, retry_after=wait)
    with session_scope() as db:
        agent = authenticate(db, username, password)
        if agent is None:
            token = None
        else:
            console_sessions.end(db, request.cookies.get(SESSION_COOKIE))  # the old session, if any, ends
            token = console_sessions.start(db, agent.id)  # a new token on every login (no session fixation)
    if token is None:
        throttle.failed(username, address)
        return _redirect("/console/login?error=wrong")
    throttle.succeeded(username, address)
    response = _redirect("/console")
    _set_cookie(request, response, SESSION_COOKIE, token, "/console")
    response.del_cookie(LOGIN_COOKIE, path="/console/login")
    return response


@agent_required
async def logout(request: web.Request) -> web.Response:
    """Deletes the session's record: the cookie, wherever a copy of it is, no longer logs anyone in."""
    with session_scope() as db:
        console_sessions.end(db, request.cookies.get(SESSION_COOKIE))
    response = web.json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/console")
    return response


@agent_required
async def queue_page(request: web.Request) -> web.Response:
    return _render(request, "console/queue.html", agent=request["agent"], csrf=session_csrf(request))


@agent_required
async def conversation_page(request: web.Request) -> web.Response:
    return _render(request, "console/conversation.html", agent=request["agent"], csrf=session_csrf(request),
                   request_id=int(request.match_info["request_id"]))


# -- API ---------------------------------------------------------------------------------------------------
def request_json(handoff: HandoffRequest) -> Dict[str, Any]:
    return {"id": handoff.id, "conversation_id": handoff.conversation_id, "channel": handoff.channel,
            "language": handoff.language, "reason": handoff.reason, "priority": handoff.priority,
            "urgent": handoff.priority == 0, "status": handoff.status,
            "agent": handoff.agent.display_name if handoff.agent else None, "agent_id": handoff.agent_id,
            "created_at": handoff.created_at.isoformat() + "Z",
            "waiting_seconds": int((utcnow() - handoff.created_at).total_seconds()), "note": handoff.note,
            "can_receive_agent_messages": handoff.channel in PUSH_CHANNELS,
            }


#: Channels whose users get an agent's message at once; a REST user gets it with their next message.
PUSH_CHANNELS = {"socketio", "callback", "whatsapp"}


@agent_required
async def queue_api(request: web.Request) -> web.Response:
    with session_scope() as db:
        requests = [request_json(r) for r in queue.open_requests(db)]
    return web.json_response({"requests": requests, "agent": request["agent"]})


def _rasa(request: web.Request) -> RasaClient:
    return request.app[RASA]


def _request_id(request: web.Request) -> int:
    try:
        return int(request.match_info["request_id"])
    except ValueError:
        raise web.HTTPNotFound()


def _load(request_id: int) -> Dict[str, Any]:
    with session_scope() as db:
        handoff = queue.get(db, request_id)
        if handoff is None:
            raise web.HTTPNotFound(text='{"error": "No such request."}', content_type="application/json")
        return request_json(handoff)


@agent_required
async def conversation_api(request: web.Request) -> web.Response:
    handoff = _load(_request_id(request))
    try:
        tracker = await _rasa(request).tracker(handoff["conversation_id"])
    except RasaUnavailable as error:
        return web.json_response({"request": handoff, "error": str(error)}, status=502)
    return web.json_response({"request": handoff,
                              "conversation": summary(tracker, request.app[SCHEDULE].console_slots)})


def _user_language(tracker: Dict[str, Any], fallback: str) -> str:
    return ((tracker.get("slots") or {}).get("language")) or fallback


async def _tell_user(request: web.Request, handoff: Dict[str, Any], response: str, **values: Any) -> None:
    """A hotline notice in the user's language (the conversation's language slot, else the queue's)."""
    rasa = _rasa(request)
    language = _user_language(await rasa.tracker(handoff["conversation_id"]), handoff["language"])
    await rasa.say(handoff["conversation_id"], catalogue().text(response, language, **values))


@agent_required
async def take_api(request: web.Request) -> web.Response:
    request_id, agent = _request_id(request), request["agent"]
    handoff = _load(request_id)
    with session_scope() as db:
        taken = queue.take(db, request_id, agent["id"])
    if not taken:
        return web.json_response({"error": "Another agent has already taken this conversation, or it is closed."},
                                 status=409)
    try:
        await _rasa(request).pause(handoff["conversation_id"])
    except RasaUnavailable as error:
        with session_scope() as db:
            queue.release(db, request_id, agent["id"])
        return web.json_response({"error": f"Could not pause the bot, so the conversation was not taken: {error}"},
                                 status=502)
    try:
        await _tell_user(request, handoff, "utter_agent_joined", agent=agent["name"])
    except RasaUnavailable as error:
        return web.json_response({"ok": True, "warning": f"Taken, but the user was not told: {error}"})
    return web.json_response({"ok": True})


def _held_by(request_id: int, agent_id: int) -> Dict[str, Any]:
    handoff = _load(request_id)
    if handoff["status"] != ASSIGNED or handoff["agent_id"] != agent_id:
        raise web.HTTPConflict(text='{"error": "Take this conversation over first."}',
                               content_type="application/json")
    return handoff


async def _json_text(request: web.Request, field: str, limit: int, required: bool) -> str:
    try:
        body = await request.json()
    except ValueError:
        body = None
    value = body.get(field, "") if isinstance(body, dict) else None
    if not isinstance(value, str):
        raise web.HTTPBadRequest(text=f'{{"error": "Send a JSON object with a text field \\"{field}\\"."}}',
                                 content_type="application/json")
    value = value.strip()
    if required and not value:
        raise web.HTTPBadRequest(text=f'{{"error": "\\"{field}\\" must not be empty."}}',
                                 content_type="application/json")
    if len(value) > limit:
        raise web.HTTPBadRequest(text=f'{{"error": "\\"{field}\\" is longer than {limit} characters."}}',
                                 content_type="application/json")
    return value


@agent_required
async def message_api(request: web.Request) -> web.Response:
    request_id, agent = _request_id(request), request["agent"]
    handoff = _held_by(request_id, agent["id"])
    text = await _json_text(request, "text", MAX_AGENT_MESSAGE_CHARS, required=True)
    try:
        await _rasa(request).say(handoff["conversation_id"], text, agent=agent["name"])
    except DeliveryRefused as error:
        return web.json_response({"error": f"Not delivered: {error}"}, status=422)
    except RasaUnavailable as error:
        return web.json_response({"error": f"Not delivered: {error}"}, status=502)
    delivered = handoff["channel"] in PUSH_CHANNELS
    return web.json_response({"ok": True, "delivered_now": delivered,
                              "note": None if delivered else "This user's channel cannot receive messages "
                              "pushed to it; they will get your message with their next message."})


async def _finish(request: web.Request, note_required: bool) -> web.Response:
    request_id, agent = _request_id(request), request["agent"]
    handoff = _load(request_id)
    note = await _json_text(request, "note", MAX_NOTE_CHARS, required=note_required)
    with session_scope() as db:
        before = queue.finish(db, request_id, agent["id"], note)
    if before is None:
        return web.json_response({"error": "Only the agent holding this conversation can end it."}, status=409)
    if before == ASSIGNED:
        try:
            await _rasa(request).resume(handoff["conversation_id"])
            await _tell_user(request, handoff, "utter_agent_left")
        except RasaUnavailable as error:
            return web.json_response({"ok": True, "warning": f"Closed, but the bot may still be paused: {error}"})
    return web.json_response({"ok": True})


@agent_required
async def handback_api(request: web.Request) -> web.Response:
    return await _finish(request, note_required=False)


@agent_required
async def close_api(request: web.Request) -> web.Response:
    return await _finish(request, note_required=True)


# -- wiring ------------------------------------------------------------------------------------------------
async def _rasa_client(app: web.Application) -> Any:
    http = aiohttp.ClientSession()
    app[RASA] = RasaClient(app[SETTINGS]["rasa_api_url"], app[SETTINGS]["rasa_token"], http)
    yield
    await http.close()


def setup(app: web.Application) -> None:
    settings = app[SETTINGS]
    settings.setdefault("rasa_api_url", os.environ.get("HAVEN_RASA_URL") or settings["rasa_url"])
    settings.setdefault("rasa_token", rasa_token())
    app[SECRET] = secret_key()
    app[PROXIES] = frozenset(p.strip() for p in os.environ.get("HAVEN_TRUSTED_PROXIES", "").split(",") if p.strip())
    app[THROTTLE] = LoginThrottle()
    app[SCHEDULE] = Schedule.load()
    app.cleanup_ctx.append(_rasa_client)
    app.add_routes([
        web.get("/console/login", login_page), web.post("/console/login", login),
        web.post("/console/logout", logout),
        web.get("/console", queue_page), web.get("/console/conversations/{request_id:\\d+}", conversation_page),
        web.get("/console/api/queue", queue_api),
        web.get("/console/api/requests/{request_id}", conversation_api),
        web.post("/console/api/requests/{request_id}/take", take_api),
        web.post("/console/api/requests/{request_id}/messages", message_api),
        web.post("/console/api/requests/{request_id}/handback", handback_api),
        web.post("/console/api/requests/{request_id}/close", close_api),
        web.static("/console/static", Path(__file__).resolve().parent / "console_static"),
    ])
