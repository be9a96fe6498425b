"""Haven's web app: serves the landing page with the chat widget, the widget as one embeddable script
(/widget.js) and the privacy notice.

    python -m web.app            # http://localhost:8080 (HAVEN_WEB_PORT)

The widget talks to Rasa's socket.io channel at HAVEN_RASA_PUBLIC_URL (default http://localhost:5005).
The hotline console (web.console) lives under /console and calls Rasa's HTTP API at HAVEN_RASA_URL.
The app also runs the erasure and retention job (hotline.erasure) every HAVEN_ERASURE_INTERVAL_SECONDS
(30; 0 turns it off)."""
from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

import jinja2
from aiohttp import web

from hotline import erasure
from web import console
from web.settings import SETTINGS

ROOT = Path(__file__).resolve().parent
WIDGET = ROOT / "static" / "haven-widget.js"
logger = logging.getLogger(__name__)

TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "templates"),
                               autoescape=jinja2.select_autoescape(["html"]))


def _settings(app: web.Application) -> dict:
    return app[SETTINGS]


def render(name: str, **context: object) -> web.Response:
    return web.Response(text=TEMPLATES.get_template(name).render(**context), content_type="text/html")


async def index(request: web.Request) -> web.Response:
    settings = _settings(request.app)
    language = request.query.get("lang", "en")
    if language not in ("en", "fr", "ar"):
        language = "en"
    return render("index.html", rasa_url=settings["rasa_url"], language=language,
                  page_url=f"{request.scheme}://{request.host}")


async def privacy(request: web.Request) -> web.Response:
    try:
        days: int | None = erasure.retention_days()
    except (OSError, ValueError) as error:  # make check-content names the mistake; the notice still shows
        logger.error("%s", error)
        days = None
    return render("privacy.html", retention_days=days)


async def widget(request: web.Request) -> web.StreamResponse:
    if not WIDGET.exists():
        return web.Response(status=503, text="The widget is not built yet: run `make widget`.")
    response = web.Response(body=WIDGET.read_bytes(), content_type="application/javascript")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # embeddable on any organisation's site
    response.enable_compression()
    return response


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "widget_built": WIDGET.exists()})


def _decorate(request: web.Request, response: web.StreamResponse) -> None:
    """The same security headers on every answer: pages, redirects, errors. Nothing here is meant to be
    framed (the widget is a script, not a frame), so frame-ancestors 'none' and X-Frame-Options: DENY."""
    rasa = _settings(request.app)["rasa_url"]
    websocket = rasa.replace("http://", "ws://").replace("https://", "wss://")
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src 'self' {rasa} {websocket}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/console") and not request.path.startswith("/console/static/"):
        headers.setdefault("Cache-Control", "no-store")  # agents' data never stays in a shared cache


@web.middleware
async def security_headers(request: web.Request,
                           handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """Decorates returned responses and raised HTTP exceptions (302, 404, 405 ... are raised by aiohttp and
    by handlers), and turns any other error into a plain 500 that carries the headers too and no details."""
    try:
        response = await handler(request)
    except web.HTTPException as answer:
        _decorate(request, answer)
        raise
    except Exception:  # noqa: BLE001 - logged here; the client gets a bare 500
        logger.exception("Error handling %s %s", request.method, request.path)
        response = web.Response(status=500, text="500: Internal Server Error")
    _decorate(request, response)
    return response


async def erasure_loop(interval: float) -> None:
    """Run the erasure job forever; a failing run is logged and the next one tries again (the job is
    idempotent), so a database hiccup never stops the web app or the job."""
    while True:
        try:
            await asyncio.to_thread(erasure.run_once)
        except Exception:  # noqa: BLE001 - any failure: log it, keep serving, retry next time
            logger.exception("The erasure job failed; it will run again in %s s", interval)
        await asyncio.sleep(interval)


async def erasure_job(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: start the background job with the app, cancel it when the app stops."""
    interval = float(os.environ.get("HAVEN_ERASURE_INTERVAL_SECONDS", "30"))
    task = asyncio.create_task(erasure_loop(interval)) if interval > 0 else None
    yield
    if task is not None:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass


def create_app(rasa_url: str | None = None) -> web.Application:
    app = web.Application(middlewares=[security_headers], client_max_size=64 * 1024)
    app[SETTINGS] = {"rasa_url": rasa_url or os.environ.get("HAVEN_RASA_PUBLIC_URL", "http://localhost:5005")}
    app.add_routes([web.get("/", index), web.get("/privacy", privacy), web.get("/widget.js", widget),
                    web.get("/health", health)])
    console.setup(app)
    app.cleanup_ctx.append(erasure_job)
    return app


def main() -> None:
    os.umask(0o077)  # the hotline database and secrets it may create under var/ are the owner's alone
    logging.basicConfig(level=logging.INFO)
    port = int(os.environ.get("HAVEN_WEB_PORT", "8080"))
    web.run_app(create_app(), host=os.environ.get("HAVEN_WEB_HOST", "0.0.0.0"), port=port,
                print=lambda _: print(f"Haven web app on http://localhost:{port}", flush=True))


if __name__ == "__main__":
    main()
