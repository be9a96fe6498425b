"""The hotline console: agents log in, see who needs a person, take a conversation over, write to the
user on the user's own channel, and hand the conversation back to the bot.

Security: argon2 password hashes (hotline.accounts), an encrypted, HttpOnly, SameSite=Strict session
cookie (aiohttp-session), a CSRF token per session required on every state-changing request, login
throttling, and Rasa's API token kept on the server. Every route but the login page needs an agent."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any, Awaitable, Callable, Deque, Dict, Optional

import aiohttp
from aiohttp import web
from aiohttp_session import get_session, new_session, setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from bot.translations import catalogue
from hotline import queue
from hotline.accounts import authenticate
from hotline.db import session_scope
from hotline.hours import Schedule
from hotline.models import ASSIGNED, Agent, HandoffRequest, utcnow
from hotline.rasa_api import DeliveryRefused, RasaClient, RasaUnavailable, rasa_token
from hotline.transcript import summary
from web.settings import SETTINGS

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
MAX_AGENT_MESSAGE_CHARS = 4000
MAX_NOTE_CHARS = 2000
LOGIN_ATTEMPTS, LOGIN_WINDOW_SECONDS = 5, 900
SESSION_SECONDS = 12 * 3600
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RASA = web.AppKey("rasa", RasaClient)
SCHEDULE = web.AppKey("schedule", Schedule)
THROTTLE = web.AppKey("login_throttle", "LoginThrottle")


def secret_key() -> bytes:
    """32 bytes for the session cookie's encryption: HAVEN_CONSOLE_SECRET, else var/console-secret."""
    configured = os.environ.get("HAVEN_CONSOLE_SECRET")
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    path = ROOT / "var" / "console-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return base64.urlsafe_b64decode(path.read_text().strip())


# -- who is asking ---------------------------------------------------------------------------------------
async def current_agent(request: web.Request) -> Optional[Dict[str, Any]]:
    session = await get_session(request)
    agent_id = session.get("agent_id")
    if agent_id is None:
        return None
    with session_scope() as db:
        agent = db.get(Agent, agent_id)
        if agent is None or not agent.active:
            session.invalidate()
            return None
        return {"id": agent.id, "username": agent.username, "name": agent.display_name}


def csrf_ok(session: Any, presented: Optional[str]) -> bool:
    expected = session.get("csrf")
    return bool(expected and presented and hmac.compare_digest(str(expected), str(presented)))


def agent_required(handler: Handler) -> Handler:
    """Pages redirect to the login page; API calls get 401. State changes also need the CSRF header."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        agent = await current_agent(request)
        is_api = request.path.startswith("/console/api/") or request.method not in ("GET", "HEAD")
        if agent is None:
            if is_api:
                return web.json_response({"error": "Log in first."}, status=401)
            raise web.HTTPFound("/console/login")
        if request.method not in ("GET", "HEAD"):
            if not csrf_ok(await get_session(request), request.headers.get("X-CSRF-Token")):
                return web.json_response({"error": "Missing or wrong CSRF token; reload the page."}, status=403)
        request["agent"] = agent
        return await handler(request)

    return guarded


# -- pages -------------------------------------------------------------------------------------------------
def _render(request: web.Request, name: str, **context: Any) -> web.Response:
    from web.app import render

    response = render(name, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def login_page(request: web.Request) -> web.Response:
    session = await get_session(request)
    session.setdefault("csrf", secrets.token_urlsafe(32))
    return _render(request, "console/login.html", csrf=session["csrf"], error=request.query.get("error"))


class LoginThrottle:
    """At most LOGIN_ATTEMPTS failed logins per username and per address in LOGIN_WINDOW_SECONDS."""

    def __init__(self) -> None:
        self.failures: Dict[str, Deque[float]] = defaultdict(deque)

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        for key in keys:
            recent = self.failures[key]
            while recent and recent[0] < now - LOGIN_WINDOW_SECONDS:
                recent.popleft()
            if len(recent) >= LOGIN_ATTEMPTS:
                return True
        return False

    def failed(self, *keys: str) -> None:
        for key in keys:
            self.failures[key].append(time.monotonic())


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    session = await get_session(request)
    if not csrf_ok(session, form.get("csrf")):
        raise web.HTTPFound("/console/login?error=expired")
    username, password = str(form.get("username", ""))[:64], str(form.get("password", ""))[:256]
    throttle: LoginThrottle = request.app[THROTTLE]
    keys = (f"user:{username.lower()}", f"addr:{request.remote}")
    if throttle.blocked(*keys):
        raise web.HTTPFound("/console/login?error=throttled")
    with session_scope() as db:
        agent = authenticate(db, username, password)
        agent_id = agent.id if agent else None
    if agent_id is None:
        throttle.failed(*keys)
        raise web.HTTPFound("/console/login?error=wrong")
    session = await new_session(request)  # a fresh session id on login (no session fixation)
    session["agent_id"], session["csrf"] = agent_id, secrets.token_urlsafe(32)
    raise web.HTTPFound("/console")


@agent_required
async def logout(request: web.Request) -> web.Response:
    (await get_session(request)).invalidate()
    return web.json_response({"ok": True})


@agent_required
async def queue_page(request: web.Request) -> web.Response:
    session = await get_session(request)
    return _render(request, "console/queue.html", agent=request["agent"], csrf=session["csrf"])


@agent_required
async def conversation_page(request: web.Request) -> web.Response:
    session = await get_session(request)
    return _render(request, "console/conversation.html", agent=request["agent"], csrf=session["csrf"],
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
    secure_cookie = os.environ.get("HAVEN_CONSOLE_SECURE_COOKIE", "") == "1"
    setup_sessions(app, EncryptedCookieStorage(secret_key(), cookie_name="haven_console", httponly=True,
                                               samesite="Strict", secure=secure_cookie,
                                               max_age=SESSION_SECONDS))
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
