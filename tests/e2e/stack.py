"""A real Haven stack for end-to-end tests: the trained model served by `rasa run` and the action server
by `rasa run actions`, on free loopback ports, with their own tracker store and directory database."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN = "e2e-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {timeout}s:\n{log.read_text()[-4000:]}")


@dataclass
class Stack:
    model: Path
    workdir: Path
    directory_url: str
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    _processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _env(self, database_url: Optional[str] = None) -> Dict[str, str]:
        return dict(os.environ, PYTHONPATH=str(ROOT), HAVEN_DATABASE_URL=database_url or self.directory_url)

    def _spawn(self, name: str, args: List[str], env: Dict[str, str]) -> Path:
        log = self.workdir / f"{name}.log"
        handle = log.open("ab")
        self._processes[name] = subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
        return log

    def start_actions(self, database_url: Optional[str] = None) -> None:
        log = self._spawn("actions", [str(BIN / "rasa"), "run", "actions", "--port", str(self.actions_port)],
                          self._env(database_url))
        wait_until_up(f"http://127.0.0.1:{self.actions_port}/health", self._processes["actions"], log)

    def stop(self, name: str) -> None:
        process = self._processes.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def start_rasa(self) -> None:
        endpoints = self.workdir / "endpoints.yml"
        config = yaml.safe_load((ROOT / "endpoints.yml").read_text())  # the project's, with test addresses
        config["action_endpoint"] = {"url": f"http://127.0.0.1:{self.actions_port}/webhook"}
        config["tracker_store"] = {"type": "SQL", "dialect": "sqlite", "db": str(self.workdir / "tracker.db")}
        endpoints.write_text(yaml.safe_dump(config))
        log = self._spawn("rasa", [str(BIN / "rasa"), "run", "--enable-api", "--auth-token", TOKEN, "--model",
                                   str(self.model), "--port", str(self.rasa_port), "--endpoints", str(endpoints),
                                   "--credentials", str(ROOT / "credentials.yml"), "--cors", "*"], self._env())
        wait_until_up(f"{self.rasa_url}/status?token={TOKEN}", self._processes["rasa"], log)

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start_web(self, rasa_public_url: str) -> None:
        env = dict(self._env(), HAVEN_WEB_PORT=str(self.web_port), HAVEN_WEB_HOST="127.0.0.1",
                   HAVEN_RASA_PUBLIC_URL=rasa_public_url)
        log = self._spawn("web", [sys.executable, "-m", "web.app"], env)
        wait_until_up(f"{self.web_url}/health", self._processes["web"], log, timeout=60)

    def stop_all(self) -> None:
        for name in list(self._processes):
            self.stop(name)

    # -- talking to it -------------------------------------------------------------------------------
    def send(self, sender: str, text: str) -> List[dict]:
        reply = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              timeout=60)
        reply.raise_for_status()
        return reply.json()

    def say(self, sender: str, text: str) -> str:
        """The bot's whole answer as one text (buttons' titles included)."""
        parts = []
        for message in self.send(sender, text):
            parts.append(message.get("text", ""))
            parts += [b["title"] for b in message.get("buttons", [])]
        return "\n".join(parts)

    def tracker(self, sender: str) -> dict:
        reply = requests.get(f"{self.rasa_url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
        reply.raise_for_status()
        return reply.json()
