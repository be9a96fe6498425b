"""Security suite, action-server part (issue 18, items 1, 11 and 14): a real `python -m actions.server` on a
free loopback port, called the way a stranger would (no secret, a wrong one, a text/plain body from a web
page, malformed JSON, forged calls for a victim's id) and the way Rasa does (its own HTTP client, the
header from endpoints.yml, compressed or not). No model needed."""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest
import requests

from tests.e2e.stack import ROOT, free_port, wait_until_up

TOKEN = "security-suite-actions-token"
HEADER = "X-Haven-Action-Token"
VICTIM = "rest-victim0123"
#: Text only the conversation holds: an error answer must never echo it.
PRIVATE = "my passport is with my employer in Sfax"


class ActionServer:
    def __init__(self, workdir: Path, directory_url: str, env: Optional[Dict[str, str]] = None) -> None:
        self.port = free_port()
        self.hotline_db = workdir / "hotline.db"
        self.log = workdir / "actions.log"
        environment = dict(os.environ, PYTHONPATH=str(ROOT), HAVEN_ACTIONS_TOKEN=TOKEN,
                           HAVEN_DATABASE_URL=directory_url, HAVEN_HOTLINE_DATABASE_URL=f"sqlite:///{self.hotline_db}")
        environment.pop("HAVEN_ACTIONS_HOST", None)
        environment.update(env or {})
        with self.log.open("ab") as handle:
            self.process = subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(self.port)],
                                            cwd=ROOT, env=environment, stdout=handle, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, statuses: tuple = (200,)) -> "ActionServer":
        wait_until_up(f"{self.url}/health", self.process, self.log, timeout=120, statuses=statuses)
        return self

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def rows(self, table: str, conversation_id: str = VICTIM) -> int:
        """Rows about `conversation_id` in the hotline database (none if it was never even created)."""
        if not self.hotline_db.exists():
            return 0
        with sqlite3.connect(self.hotline_db) as db:
            try:
                return db.execute(f"select count(*) from {table} where conversation_id = ?",
                                  (conversation_id,)).fetchone()[0]
            except sqlite3.OperationalError:  # no such table: nothing was ever written
                return 0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, directory_url: str) -> Iterator[ActionServer]:
    running = ActionServer(tmp_path_factory.mktemp("actions"), directory_url).wait()
    try:
        yield running
    finally:
        running.stop()


def action_call(action: str, sender: str = VICTIM, text: str = "forget me") -> dict:
    """What Rasa posts to /webhook (the parts rasa_sdk reads)."""
    return {"next_action": action, "sender_id": sender, "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": sender, "slots": {"language": "en"}, "paused": False,
                        "latest_message": {"text": text, "intent": {"name": "forget_me"}, "entities": []},
                        "events": [{"event": "user", "text": text, "input_channel": "rest"}],
                        "latest_input_channel": "rest", "active_loop": {}, "latest_action_name": "action_listen"}}


FORGED = [action_call("action_forget_me"), action_call("action_emergency", text="help, someone is hurting me")]
ROUTES = [("GET", "/actions"), ("POST", "/webhook"), ("OPTIONS", "/webhook"), ("GET", "/webhook"),
          ("GET", "/nowhere"), ("POST", "/health")]


# -- no secret, a wrong secret ------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{}, {HEADER: "wrong"}, {HEADER: ""}, {HEADER: TOKEN + "x"},
                                     {HEADER.lower() + "-x": TOKEN}, {"Authorization": f"Bearer {TOKEN}"}],
                         ids=["none", "wrong", "empty", "longer", "other-header", "bearer"])
@pytest.mark.parametrize("method,path", ROUTES)
def test_every_route_but_health_refuses_a_missing_or_wrong_secret(server, method, path, headers):
    reply = requests.request(method, server.url + path, headers={**headers, "Content-Type": "application/json"},
                             data=json.dumps(FORGED[0]), timeout=10)
    assert reply.status_code == 401, (reply.status_code, reply.text)
    assert reply.json() == {"error": "unauthorised"}
    assert "access-control-allow-origin" not in {h.lower() for h in reply.headers}


def test_the_secret_is_not_accepted_as_a_query_parameter(server):
    reply = requests.get(f"{server.url}/actions", params={"token": TOKEN}, timeout=10)
    assert reply.status_code == 401


@pytest.mark.parametrize("forged", FORGED, ids=lambda call: call["next_action"])
@pytest.mark.parametrize("headers", [{}, {HEADER: "guess"}], ids=["no-secret", "wrong-secret"])
def test_forged_calls_for_a_victim_leave_no_trace(server, forged, headers):
    for content_type in ("application/json", "text/plain"):
        reply = requests.post(f"{server.url}/webhook", data=json.dumps(forged),
                              headers={**headers, "Content-Type": content_type}, timeout=10)
        assert reply.status_code == 401
        assert VICTIM not in reply.text
    assert server.rows("hotline_erasure_requests") == 0
    assert server.rows("hotline_requests") == 0


def test_health_needs_no_secret_but_says_nothing_more(server):
    reply = requests.get(f"{server.url}/health", timeout=10)
    assert reply.status_code == 200 and reply.json() == {"status": "ok"}


def test_a_cross_site_preflight_gets_no_cors_permission(server):
    reply = requests.options(f"{server.url}/webhook", timeout=10,
                             headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
                                      "Access-Control-Request-Headers": HEADER})
    assert "access-control-allow-origin" not in {h.lower() for h in reply.headers}


# -- bodies ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          "", "application/jsonp", "text/json"])
@pytest.mark.parametrize("forged", FORGED, ids=lambda call: call["next_action"])
def test_a_body_not_declared_json_is_refused_even_with_the_secret(server, content_type, forged):
    reply = requests.post(f"{server.url}/webhook", data=json.dumps(forged).encode(),
                          headers={HEADER: TOKEN, "Content-Type": content_type}, timeout=10)
    assert reply.status_code == 415, (reply.status_code, reply.text)
    assert server.rows("hotline_erasure_requests") == 0 and server.rows("hotline_requests") == 0


@pytest.mark.parametrize("body", [
    '{"next_action": "action_forget_me", "text": "%s"' % PRIVATE,           # not JSON
    '{"next_action": "action_forget_me", "tracker": "%s"}' % PRIVATE,       # JSON, not a tracker: the action fails
    '["%s"]' % PRIVATE,                                                   # JSON, not an object
    '{"next_action": "action_forget_me", "tracker": {"text": "%s"}}' % PRIVATE,  # a tracker without a sender
], ids=["malformed", "bad-tracker", "list", "no-sender"])
def test_an_error_answer_never_echoes_the_body(server, body):
    log_before = server.log.read_text(errors="replace")
    reply = requests.post(f"{server.url}/webhook", data=body.encode(),
                          headers={HEADER: TOKEN, "Content-Type": "application/json"}, timeout=10)
    assert reply.status_code in (400, 500), (reply.status_code, reply.text)
    assert PRIVATE not in reply.text and "Sfax" not in reply.text and "request_body" not in reply.text
    assert set(reply.json()) == {"error"}
    assert PRIVATE not in server.log.read_text(errors="replace")[len(log_before):], "the body reached the log"
    assert server.rows("hotline_erasure_requests") == 0


def test_an_unknown_route_with_the_secret_is_a_plain_404(server):
    reply = requests.get(f"{server.url}/nowhere", headers={HEADER: TOKEN}, timeout=10)
    assert reply.status_code == 404 and set(reply.json()) == {"error"}


# -- what is allowed -----------------------------------------------------------------------------------------------
def test_the_action_list_needs_the_secret_and_then_works(server):
    reply = requests.get(f"{server.url}/actions", headers={HEADER: TOKEN}, timeout=10)
    assert reply.status_code == 200
    assert {"name": "action_forget_me"} in reply.json()


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "deflate"])
async def test_rasa_calls_with_the_header_from_endpoints_yml_and_it_works(server, monkeypatch, compress):
    """Rasa's own client (EndpointConfig.request, as RemoteAction uses it, compressed when
    COMPRESS_ACTION_SERVER_REQUEST is set) with the project's endpoints.yml: the secret goes in the header."""
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("HAVEN_ACTIONS_TOKEN", TOKEN)
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint.headers == {HEADER: TOKEN} and not endpoint.token and not endpoint.params
    endpoint.url = f"{server.url}/webhook"
    sender = f"rest-caller{int(compress)}"
    answer = await endpoint.request(json=action_call("action_forget_me", sender=sender), method="post",
                                    compress=compress)
    assert [r.get("response") for r in answer["responses"]] == ["utter_forget_me"]
    assert server.rows("hotline_erasure_requests", sender) == 1
    # Item 12b: the hotline database the action server created is its owner's only.
    assert stat.S_IMODE(server.hotline_db.stat().st_mode) == 0o600


def test_rasa_refuses_to_start_when_the_secret_is_not_set(monkeypatch):
    """Fail closed: an endpoints.yml naming an unset variable is an error, never an empty header."""
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.delenv("HAVEN_ACTIONS_TOKEN", raising=False)
    with pytest.raises(RasaException, match="HAVEN_ACTIONS_TOKEN"):
        read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")


# -- where it listens ---------------------------------------------------------------------------------------------
def listening_addresses(port: int) -> set:
    """Local addresses with a listening TCP socket on `port` (Linux /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def test_it_listens_on_loopback_only_by_default(server):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux's /proc/net/tcp")
    assert listening_addresses(server.port) == {"0100007F"}  # 127.0.0.1, and nothing on 0.0.0.0 or ::


# -- a missing directory ------------------------------------------------------------------------------------------
def test_a_missing_directory_is_unhealthy_never_created_and_the_actions_apologise(tmp_path):
    missing = tmp_path / "var" / "directory.db"
    missing.parent.mkdir()
    broken = ActionServer(tmp_path, f"sqlite:///{missing}").wait(statuses=(503,))
    try:
        reply = requests.get(f"{broken.url}/health", timeout=10)
        assert reply.status_code == 503
        assert "directory database" in reply.json()["message"] and "make db" in reply.json()["message"]
        answer = requests.post(f"{broken.url}/webhook", json=action_call("action_emergency", sender="rest-sos01",
                                                                          text="help"),
                               headers={HEADER: TOKEN}, timeout=30)
        assert answer.status_code == 200
        assert "utter_service_unavailable" in [r.get("response") for r in answer.json()["responses"]]
        assert broken.rows("hotline_requests", "rest-sos01") == 1  # the person still reaches the hotline
    finally:
        broken.stop()
    assert not missing.exists(), "the action server created an empty directory database"
