"""A real Haven stack for end-to-end tests: the trained model served by `rasa run` and the action server
by `python -m actions.server` (with its shared secret, as `make run` starts it), on free loopback ports,
with their own tracker store and directory database."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN = "e2e-test-token"
ACTIONS_TOKEN = "e2e-actions-token"
REST_TOKEN = "e2e-rest-token"
CALLBACK_TOKEN = "e2e-callback-token"
SOCKET_SECRET = "e2e-socket-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 240,
                  statuses: tuple = (200,)) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code in statuses:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {timeout}s:\n{log.read_text()[-4000:]}")


def conversation_id(sender: str, channel: str = "rest") -> str:
    """The conversation id of a test's sender: a WhatsApp number or a socket.io conversation id as it is, a
    REST (or callback) sender as that channel files it (`rest-<sender>`, `cb-<sender>`)."""
    from bot.channels import ids

    if ids.WHATSAPP_ID.fullmatch(sender) or sender.startswith(("web-", "cb-")):
        return sender
    return ids.conversation_id(channel, sender)


@dataclass
class Stack:
    model: Path
    workdir: Path
    directory_url: str
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    _processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    _web_public_url: Optional[str] = None
    #: Where the WhatsApp channel sends messages (a fake Graph API in tests); its secrets come from whatsapp_env.
    graph_api_url: Optional[str] = None
    whatsapp_env: Dict[str, str] = field(default_factory=dict)
    graph: Optional[Any] = None  # the fake Graph API object, for tests to read what was sent
    callback: Optional[Any] = None  # a recording endpoint for Rasa's `callback` channel, if any

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def hotline_url(self) -> str:
        return f"sqlite:///{self.workdir / 'hotline.db'}"

    @property
    def hotline_config(self) -> Path:
        """The stack's hotline hours: open around the clock unless a test rewrites this file."""
        path = self.workdir / "hotline.yml"
        if not path.exists():
            self.set_hotline_open(True)
        return path

    def set_hotline_open(self, is_open: bool) -> Optional[str]:
        """Open around the clock, or closed until 08:00 three days from now (local time). Returns that
        day's English name when closed."""
        config = yaml.safe_load((ROOT / "data" / "hotline.yml").read_text(encoding="utf-8"))
        days = list(config["opening_hours"])
        config["opening_hours"] = {day: (["00:00-00:00"] if is_open else []) for day in days}
        reopens = None
        if not is_open:
            from datetime import datetime, timedelta
            from zoneinfo import ZoneInfo

            weekday = (datetime.now(ZoneInfo(config["timezone"])) + timedelta(days=3)).weekday()
            config["opening_hours"][days[weekday]] = ["08:00-20:00"]
            reopens = config["weekday_names"]["en"][weekday]
        (self.workdir / "hotline.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        return reopens

    def _env(self, database_url: Optional[str] = None) -> Dict[str, str]:
        return dict(os.environ, PYTHONPATH=str(ROOT), HAVEN_DATABASE_URL=database_url or self.directory_url,
                    HAVEN_HOTLINE_DATABASE_URL=self.hotline_url, HAVEN_HOTLINE_CONFIG=str(self.hotline_config),
                    HAVEN_ENDPOINTS=str(self.endpoints), HAVEN_ERASURE_INTERVAL_SECONDS="1")

    def _spawn(self, name: str, args: List[str], env: Dict[str, str]) -> Path:
        log = self.workdir / f"{name}.log"
        handle = log.open("ab")
        self._processes[name] = subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
        return log

    def start_actions(self, database_url: Optional[str] = None) -> None:
        """The action server; with a `database_url` of its own (a test breaking the directory) it may report
        itself unhealthy (503), which is then enough to go on."""
        log = self._spawn("actions", [sys.executable, "-m", "actions.server", "--port", str(self.actions_port)],
                          dict(self._env(database_url), HAVEN_ACTIONS_TOKEN=ACTIONS_TOKEN))
        wait_until_up(f"http://127.0.0.1:{self.actions_port}/health", self._processes["actions"], log,
                      statuses=(200, 503) if database_url else (200,))

    def stop(self, name: str) -> None:
        process = self._processes.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    @property
    def endpoints(self) -> Path:
        """The endpoints.yml the stack's Rasa runs with (its own SQLite tracker store); the erasure job reads it."""
        return self.workdir / "endpoints.yml"

    @property
    def tracker_db(self) -> Path:
        return self.workdir / "tracker.db"

    def start_rasa(self) -> None:
        endpoints = self.endpoints
        # The project's, with test addresses. Once Rasa is imported, PyYAML substitutes ${VARS} too (and
        # refuses unset ones), so the action server's secret is filled in before parsing.
        text = (ROOT / "endpoints.yml").read_text().replace("${HAVEN_ACTIONS_TOKEN}", ACTIONS_TOKEN)
        config = yaml.safe_load(text)
        assert config["action_endpoint"]["headers"] == {"X-Haven-Action-Token": ACTIONS_TOKEN}
        config["action_endpoint"]["url"] = f"http://127.0.0.1:{self.actions_port}/webhook"
        config["tracker_store"] = {**config["tracker_store"], "db": str(self.tracker_db)}
        endpoints.write_text(yaml.safe_dump(config))
        credentials = self.workdir / "credentials.yml"
        channels = yaml.safe_load((ROOT / "credentials.yml").read_text())  # the project's, WhatsApp at the fake
        if self.graph_api_url:
            channels["bot.channels.whatsapp.WhatsAppInput"]["api_base_url"] = self.graph_api_url
        if self.callback is not None:
            channels["bot.channels.callback.HavenCallbackInput"] = {"url": f"{self.callback.url}/bot"}
        credentials.write_text(yaml.safe_dump(channels))
        # As `make run` starts it: the API token in the environment (scripts.serve_rasa), never in argv.
        log = self._spawn("rasa", [sys.executable, "-m", "scripts.serve_rasa", "--enable-api", "--model",
                                   str(self.model), "--port", str(self.rasa_port), "--endpoints", str(endpoints),
                                   "--credentials", str(credentials), "--cors", *self.widget_origins],
                          dict(self._env(), **self.whatsapp_env, **self.rasa_secrets))
        wait_until_up(f"{self.rasa_url}/status?token={TOKEN}", self._processes["rasa"], log)

    @property
    def widget_origins(self) -> List[str]:
        return [f"http://127.0.0.1:{self.web_port}", f"http://localhost:{self.web_port}"]

    @property
    def rasa_secrets(self) -> Dict[str, str]:
        return {"HAVEN_RASA_TOKEN": TOKEN, "HAVEN_REST_TOKEN": REST_TOKEN, "HAVEN_CALLBACK_TOKEN": CALLBACK_TOKEN,
                "HAVEN_SOCKET_SECRET": SOCKET_SECRET, "HAVEN_WIDGET_ORIGINS": ",".join(self.widget_origins)}

    def rasa_pid(self) -> int:
        return self._processes["rasa"].pid

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start_web(self, rasa_public_url: Optional[str] = None) -> None:
        """The web app (chat page and hotline console); restarted only if the widget's Rasa address changes."""
        rasa_public_url = rasa_public_url or self.rasa_url
        running = self._processes.get("web")
        if running is not None and running.poll() is None and self._web_public_url == rasa_public_url:
            return
        self.stop("web")
        self._web_public_url = rasa_public_url
        env = dict(self._env(), HAVEN_WEB_PORT=str(self.web_port), HAVEN_WEB_HOST="127.0.0.1",
                   HAVEN_RASA_PUBLIC_URL=rasa_public_url, HAVEN_RASA_URL=self.rasa_url, HAVEN_RASA_TOKEN=TOKEN,
                   HAVEN_CONSOLE_SECRET="e2e console secret")
        log = self._spawn("web", [sys.executable, "-m", "web.app"], env)
        wait_until_up(f"{self.web_url}/health", self._processes["web"], log, timeout=60)

    def stop_all(self) -> None:
        for name in list(self._processes):
            self.stop(name)

    # -- talking to it -------------------------------------------------------------------------------
    def send(self, sender: str, text: str) -> List[dict]:
        reply = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              headers={"Authorization": f"Bearer {REST_TOKEN}"}, timeout=60)
        reply.raise_for_status()
        return reply.json()

    def say(self, sender: str, text: str) -> str:
        """The bot's whole answer as one text (buttons' titles included)."""
        parts = []
        for message in self.send(sender, text):
            parts.append(message.get("text", ""))
            parts += [b["title"] for b in message.get("buttons", [])]
        return "\n".join(parts)

    def send_callback(self, sender: str, text: str) -> None:
        """A message on Rasa's callback channel: answers go to the callback endpoint, not in the reply."""
        reply = requests.post(f"{self.rasa_url}/webhooks/callback/webhook", json={"sender": sender, "message": text},
                              headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"}, timeout=60)
        reply.raise_for_status()

    def tracker(self, sender: str) -> dict:
        """The stored conversation of a conversation id, or of a REST sender (its id is `rest-<sender>`)."""
        reply = requests.get(f"{self.rasa_url}/conversations/{conversation_id(sender)}/tracker",
                             params={"token": TOKEN}, timeout=30)
        reply.raise_for_status()
        return reply.json()
