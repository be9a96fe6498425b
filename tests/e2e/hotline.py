"""Test helpers for the hotline: an agent logged into the real console, and a widget-like socket.io user."""
from __future__ import annotations

import queue
import re
import time
import uuid
from typing import Any, Callable, Dict, List, Optional

import requests
import socketio

from hotline.accounts import create_agent
from hotline.db import session_scope


class ConsoleAgent:
    """A hotline agent using the console's HTTP API like the console page does (cookie session + CSRF)."""

    def __init__(self, web_url: str, hotline_url: str, username: str, name: str) -> None:
        self.web_url = web_url
        password = f"pw-{uuid.uuid4().hex}"
        with session_scope(hotline_url) as s:
            create_agent(s, username, name, password)
        self.http = requests.Session()
        page = self.http.get(f"{web_url}/console/login", timeout=10).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        self.http.post(f"{web_url}/console/login", data={"csrf": csrf, "username": username, "password": password},
                       timeout=30).raise_for_status()
        page = self.http.get(f"{web_url}/console", timeout=10).text
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def queue(self) -> List[Dict[str, Any]]:
        reply = self.http.get(f"{self.web_url}/console/api/queue", timeout=10)
        reply.raise_for_status()
        return reply.json()["requests"]

    def request_for(self, conversation_id: str) -> Dict[str, Any]:
        return next(r for r in self.queue() if r["conversation_id"] == conversation_id)

    def conversation(self, request_id: int) -> Dict[str, Any]:
        reply = self.http.get(f"{self.web_url}/console/api/requests/{request_id}", timeout=30)
        reply.raise_for_status()
        return reply.json()

    def post(self, request_id: int, action: str, body: Optional[dict] = None) -> requests.Response:
        return self.http.post(f"{self.web_url}/console/api/requests/{request_id}/{action}", json=body or {},
                              headers={"X-CSRF-Token": self.csrf}, timeout=30)


class SocketUser:
    """A user of the web widget's channel: Haven's socket.io with a session the server issued.

    `token` is what the widget keeps (the signed session); `session_id` is the conversation id the server
    files it under (`web-<session>`), which the console and the tracker store show."""

    def __init__(self, rasa_url: str, token: Optional[str] = None, origin: Optional[str] = None) -> None:
        self.received: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        confirmed: "queue.Queue[str]" = queue.Queue()
        self.client.on("bot_uttered", lambda data: self.received.put(data))
        self.client.on("session_confirm", lambda data: confirmed.put(data))
        self.client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20,
                            headers={"Origin": origin} if origin else {})
        self.client.emit("session_request", {"session_id": token} if token else {})
        self.token: str = confirmed.get(timeout=20)
        self.session_id = f"web-{self.token.split('.')[0]}"

    def say(self, text: str, session_id: Optional[str] = None) -> None:
        """Send a message; `session_id` lets a test claim another conversation (the server must ignore it)."""
        self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.token})

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 60) -> List[str]:
        """Texts received until one matches (all of them, in order)."""
        texts: List[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.received.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            texts.append(message.get("text") or "")
            if predicate(texts[-1]):
                return texts
        raise AssertionError(f"no matching message in {timeout}s; got {texts}")

    def silent_for(self, seconds: float) -> List[str]:
        """Whatever arrives in `seconds` (the test expects nothing)."""
        texts, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                texts.append(self.received.get(timeout=0.2).get("text") or "")
            except queue.Empty:
                pass
        return texts

    def close(self) -> None:
        self.client.disconnect()
