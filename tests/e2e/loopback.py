"""A small aiohttp app served on a loopback port from its own thread, recording the JSON bodies posted to it:
the base of the fake services the real stack talks to in tests (Meta's Graph API, a callback endpoint)."""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable, Dict, List

from aiohttp import web

from tests.e2e.stack import free_port


class LoopbackApp:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def record(self, body: Dict[str, Any]) -> None:
        with self._lock:
            self.received.append(body)

    def snapshot(self) -> List[Dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        self.routes(app)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> "LoopbackApp":
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)

    def wait_for_text(self, texts: Callable[[], List[str]], predicate: Callable[[str], bool],
                      timeout: float = 60) -> List[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = texts()
            if any(predicate(t) for t in found):
                return found
            time.sleep(0.2)
        raise AssertionError(f"nothing matching arrived in {timeout}s: {texts()}")


class CallbackEndpoint(LoopbackApp):
    """Where Rasa's `callback` channel posts the bot's (and the hotline's) messages."""

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/bot", self._receive)

    async def _receive(self, request: web.Request) -> web.Response:
        self.record(await request.json())
        return web.json_response({"ok": True})

    def texts_to(self, sender: str) -> List[str]:
        return [m.get("text") or "" for m in self.snapshot() if m.get("recipient_id") == sender]

    def wait_for(self, sender: str, predicate: Callable[[str], bool], timeout: float = 60) -> List[str]:
        return self.wait_for_text(lambda: self.texts_to(sender), predicate, timeout)
