"""Haven's action server: rasa_sdk's own app (its executor and routes), closed to everyone but Rasa.

    python -m actions.server [--port 5055] [--host 127.0.0.1]

What `rasa run actions` does not do, and why it matters here (an action can erase a conversation or put an
urgent entry in the hotline queue for any sender id):
* it listens on 127.0.0.1 unless HAVEN_ACTIONS_HOST says otherwise (multi-host deployments);
* every request except GET /health must carry the shared secret (header X-Haven-Action-Token, sent by
  Rasa from endpoints.yml), else 401; /actions too, since the list of actions maps the attack surface;
* a POST must say `Content-Type: application/json`, else 415: a web page can post text/plain across
  sites without a CORS preflight, and rasa_sdk would parse it as JSON anyway (Rasa's compressed calls
  keep the JSON content type, with Content-Encoding: deflate);
* errors never echo the request body (it holds the conversation): a generic JSON answer, details in the
  log without the body;
* /health says 503 when the directory database cannot be read, instead of a cheerful "ok".
"""
from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import os
import time
from http import HTTPStatus
from typing import Callable, List, Optional

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.directory.session import directory_problem
from actions.secret_file import ACTIONS_TOKEN_HEADER, actions_token

logger = logging.getLogger(__name__)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
#: How long a /health verdict is reused: health checks stay one tiny query every few seconds at most.
HEALTH_CACHE_SECONDS = 5.0
UNHEALTHY_MESSAGE = ("the directory database cannot be read: load it with `make db` "
                     "(or check HAVEN_DATABASE_URL); the actions answer with an apology until then")


class DirectoryHealth:
    """The directory's state, checked off the event loop and cached for a few seconds."""

    def __init__(self, check: Callable[[], Optional[str]] = directory_problem,
                 ttl: float = HEALTH_CACHE_SECONDS) -> None:
        self.check = check
        self.ttl = ttl
        self._checked_at = float("-inf")
        self._problem: Optional[str] = None

    async def problem(self) -> Optional[str]:
        if time.monotonic() - self._checked_at >= self.ttl:
            problem = await asyncio.get_running_loop().run_in_executor(None, self.check)
            if problem != self._problem:
                if problem:
                    logger.error("Directory database unavailable: %s", problem)
                else:
                    logger.info("Directory database readable again.")
            self._problem, self._checked_at = problem, time.monotonic()
        return self._problem


def _is_json(request: Request) -> bool:
    media_type = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def build_app(token: str, health: Optional[DirectoryHealth] = None, actions_package: str = "actions") -> Sanic:
    """rasa_sdk's app for `actions_package` (its executor, /webhook and /actions routes), with Haven's
    checks in front. No CORS: only Rasa calls this server, never a browser."""
    if not token:
        raise ValueError("the action server needs a non-empty shared secret")
    app = create_app(actions_package, cors_origins=None)
    health = health or DirectoryHealth()
    expected = token.encode()

    async def guard(request: Request) -> Optional[HTTPResponse]:
        if request.method == "GET" and request.path == "/health":
            problem = await health.problem()
            if problem:
                return response.json({"status": "unavailable", "message": UNHEALTHY_MESSAGE}, status=503)
            return None  # rasa_sdk's own /health answers
        given = (request.headers.get(ACTIONS_TOKEN_HEADER) or "").encode()
        if not hmac.compare_digest(given, expected):
            logger.warning("Refused %s %s from %s: missing or wrong %s", request.method, request.path,
                           request.ip, ACTIONS_TOKEN_HEADER)
            return response.json({"error": "unauthorised"}, status=401)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _is_json(request):
            return response.json({"error": "the body must be JSON (its Content-Type must say so)"}, status=415)
        return None

    app.register_middleware(guard, "request")

    @app.listener("before_server_start")
    async def guard_first(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        """rasa_sdk's CORS extension puts its OPTIONS answer at the front of the chain when the server
        starts (its listener runs before this one): the guard goes in front of it."""
        app.request_middleware.remove(guard)
        app.request_middleware.appendleft(guard)

    @app.exception(Exception)
    async def error_answer(request: Request, exception: Exception) -> HTTPResponse:
        """Replaces rasa_sdk's handler, which puts the request body (the whole conversation) in the answer."""
        status = getattr(exception, "status_code", None) if isinstance(exception, SanicException) else None
        if status and status < 500:  # not JSON, no such route, wrong method, too large: the caller's mistake
            logger.info("%s %s: %s", request.method, request.path, status)
            return response.json({"error": HTTPStatus(status).phrase.lower()}, status=status)
        logger.error("%s %s failed: %s", request.method, request.path, type(exception).__name__,
                     exc_info=exception)
        return response.json({"error": "the action server failed; the details are in its log"}, status=500)

    return app


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Haven's action server (rasa_sdk, with a shared secret)")
    parser.add_argument("--host", default=os.environ.get("HAVEN_ACTIONS_HOST") or DEFAULT_HOST,
                        help="address to listen on (HAVEN_ACTIONS_HOST; default 127.0.0.1: never make it public)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("HAVEN_ACTIONS_PORT") or DEFAULT_PORT))
    parser.add_argument("--loglevel", default=os.environ.get("LOG_LEVEL", "INFO"))
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    os.umask(0o077)  # anything this process creates under var/ is readable by its owner only
    utils.configure_colored_logging(args.loglevel)
    utils.update_sanic_log_level()
    app = build_app(actions_token())
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("Action server listening on http://%s:%s (shared secret required)", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
