"""Every route of the running Rasa server, called without credentials and with wrong ones (issue 18's
security suite). The routes are read from the app Rasa builds for the stack's own channels, so a route that
a new channel or a Rasa upgrade adds is called too and must be classified here."""
from __future__ import annotations

import re
from typing import List, Tuple

import pytest
import requests

from tests.e2e.stack import CALLBACK_TOKEN, REST_TOKEN, SOCKET_SECRET

#: Routes anyone may call: Rasa's greeting and version, the channels' health checks, the widget's socket.io
#: endpoint (its sessions are checked inside, tests/e2e/test_channel_security.py).
PUBLIC = {("GET", ""), ("GET", "version"), ("GET", "webhooks/rest"), ("GET", "webhooks/socketio"),
          ("GET", "webhooks/whatsapp"), ("GET", "webhooks/callback"), ("GET", "socket.io"), ("POST", "socket.io"),
          ("OPTIONS", "socket.io")}
WRONG_CREDENTIALS = [REST_TOKEN, CALLBACK_TOKEN, SOCKET_SECRET, "not-the-token"]


def rasa_routes(stack) -> List[Tuple[str, str]]:
    """(method, path) of every route of a Rasa app configured like the stack's."""
    import rasa.core.run as run

    channels = run.create_http_input_channels(None, str(stack.workdir / "credentials.yml"))
    app = run.configure_app(channels, cors=None, auth_token="x", enable_api=True, response_timeout=60,
                            jwt_secret=None, jwt_private_key=None, jwt_method=None, route="/webhooks/", port=0,
                            endpoints=None, log_file=None, conversation_id="default", use_syslog=False,
                            syslog_address=None, syslog_port=None, syslog_protocol=None, request_timeout=None)
    routes = []
    for route in app.router.routes:
        path = re.sub(r"<conversation_id[^>]*>", "rest-someone", route.path)
        routes += [(method, path) for method in sorted(route.methods)]
    return routes


@pytest.fixture(scope="module")
def routes(stack) -> List[Tuple[str, str]]:
    found = rasa_routes(stack)
    assert len(found) > 20 and ("POST", "conversations/rest-someone/tracker/events") in found
    return found


def call(stack, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{stack.rasa_url}/{path}", json={"sender": "someone", "message": "hi"},
                            timeout=30, **kwargs)


def refused(reply: requests.Response) -> bool:
    """Refused before anything was done: no credentials (401), wrong ones (401/403), or a channel that is
    switched off (503)."""
    return reply.status_code in (401, 403, 503)


def test_every_route_but_the_public_ones_refuses_a_caller_without_credentials(stack, routes):
    open_routes = [(m, p, call(stack, m, p).status_code) for m, p in routes if (m, p) not in PUBLIC
                   and not refused(call(stack, m, p))]
    assert open_routes == []


@pytest.mark.parametrize("wrong", WRONG_CREDENTIALS)
def test_every_route_but_the_public_ones_refuses_wrong_credentials(stack, routes, wrong):
    """Another channel's secret is as wrong as a made-up one: the REST token opens no API route, and so on."""
    accepted = []
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        for kwargs in ({"params": {"token": wrong}}, {"headers": {"Authorization": f"Bearer {wrong}"}}):
            if path.startswith("webhooks/rest/") and wrong == REST_TOKEN and "headers" in kwargs:
                continue  # the REST channel's own token, where it belongs
            if path.startswith("webhooks/callback/") and wrong == CALLBACK_TOKEN and "headers" in kwargs:
                continue
            reply = call(stack, method, path, **kwargs)
            if not refused(reply):
                accepted.append((method, path, kwargs, reply.status_code))
    assert accepted == []


def test_the_public_routes_give_away_nothing(stack):
    for method, path in PUBLIC - {("POST", "socket.io"), ("OPTIONS", "socket.io"), ("GET", "socket.io")}:
        reply = call(stack, method, path)
        assert reply.status_code in (200, 404), (method, path, reply.status_code)
        assert "tracker" not in reply.text and "slots" not in reply.text
