"""WhatsApp end to end: Meta-shaped, signed webhook deliveries to the real Rasa server (with the real model
and action server), answers sent to a fake Graph API on loopback; hotline agents reach WhatsApp users
through the console, and WhatsApp's 24-hour window is reported back to the agent."""
from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, update

from bot.channels.whatsapp_store import contacts, utcnow, wa_id_hash
from tests.e2e import fake_graph
from tests.e2e.fake_graph import delivery, location, post_webhook, text
from tests.e2e.hotline import ConsoleAgent


def phone() -> str:
    return f"2189{random.randint(10_000_000, 99_999_999)}"  # a Libyan-looking mobile number


@pytest.fixture(scope="module")
def web(stack) -> str:
    stack.start_web()
    return stack.web_url


def test_a_shared_location_gets_the_nearest_centres(stack) -> None:
    user = phone()
    response = post_webhook(stack.rasa_url, delivery(user, location(32.8872, 13.1913)))  # Tripoli, Libya
    assert response.status_code == 200
    texts = stack.graph.wait_for(user, lambda t: "km" in t)
    assert any("IOM Libya" in t for t in texts)
    assert all(m["to"] == user for m in stack.graph.delivered if m.get("to") == user)


def test_forged_and_repeated_deliveries_never_reach_the_bot_twice(stack) -> None:
    user = phone()
    forged = post_webhook(stack.rasa_url, delivery(user, text("hello")), secret="not-the-app-secret")
    assert forged.status_code == 403
    payload = delivery(user, text("hello"))
    assert post_webhook(stack.rasa_url, payload).status_code == 200
    stack.graph.wait_for(user, lambda t: t.startswith("Hello, I'm Haven"))
    assert post_webhook(stack.rasa_url, payload).status_code == 200  # Meta re-delivers the same message id
    assert post_webhook(stack.rasa_url, delivery(user, text("thanks"))).status_code == 200
    stack.graph.wait_for(user, lambda t: not t.startswith("Hello, I'm Haven"))
    assert sum(t.startswith("Hello, I'm Haven") for t in stack.graph.texts_to(user)) == 1
    assert len(stack.tracker(user)["events"]) and \
        sum(e["event"] == "user" for e in stack.tracker(user)["events"]) == 2


def test_a_hotline_agent_writes_to_a_whatsapp_user(stack, web) -> None:
    user = phone()
    agent = ConsoleAgent(web, stack.hotline_url, f"wa-{uuid.uuid4().hex[:8]}", "Amina")
    assert post_webhook(stack.rasa_url, delivery(user, text("I want to talk to a real person"))).status_code == 200
    stack.graph.wait_for(user, lambda t: "A person usually answers" in t)
    request = agent.request_for(user)
    assert request["channel"] == "whatsapp" and request["can_receive_agent_messages"]

    assert agent.post(request["id"], "take").status_code == 200
    stack.graph.wait_for(user, lambda t: "Amina from the Haven hotline has joined" in t, timeout=20)
    reply = agent.post(request["id"], "messages", {"text": "Hello from the hotline, how can I help?"})
    assert reply.status_code == 200
    stack.graph.wait_for(user, lambda t: t == "Hello from the hotline, how can I help?", timeout=20)

    # 25 hours later WhatsApp no longer allows free-form messages: the agent is told, nothing is sent.
    engine = create_engine(stack.hotline_url)
    with engine.begin() as connection:
        connection.execute(update(contacts).where(contacts.c.wa_id_hash == wa_id_hash(user))
                           .values(last_inbound_at=utcnow() - timedelta(hours=25)))
    engine.dispose()
    before = len(stack.graph.texts_to(user))
    late = agent.post(request["id"], "messages", {"text": "Are you still there?"})
    assert late.status_code == 422 and "24 hours" in late.json()["error"]
    assert len(stack.graph.texts_to(user)) == before
    assert agent.post(request["id"], "close", {"note": "Out of the WhatsApp window."}).status_code == 200


def test_a_lone_surrogate_gets_an_answer_not_silence(stack) -> None:
    user = phone()
    payload = delivery(user, text("hello \ud800"))  # json.dumps writes it as the escape "\\ud800"
    assert post_webhook(stack.rasa_url, payload).status_code == 200
    texts = stack.graph.wait_for(user, lambda t: bool(t))
    assert not any(t.startswith("Sorry, part of Haven is not working") for t in texts)
    assert [e["text"] for e in stack.tracker(user)["events"] if e["event"] == "user"] == ["hello \ufffd"]


def test_signed_bodies_nested_too_deeply_or_of_the_wrong_shape_are_refused_not_a_500(stack) -> None:
    import requests

    from bot.channels.whatsapp import signature_header

    deep = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    url = f"{stack.rasa_url}/webhooks/whatsapp/webhook"
    reply = requests.post(url, data=deep, timeout=30, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature_header(fake_graph.APP_SECRET, deep)})
    assert reply.status_code == 400 and "nested too deeply" in reply.text
    user = phone()
    odd = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {
        "metadata": "x", "messages": [{"from": user, "id": "wamid.ODD", "type": "text", "text": "no body"},
                                      {"from": f"+{user}", "id": "wamid.PLUS", "type": "text",
                                       "text": {"body": "hello"}}],
        "statuses": 7}}]}]}
    assert post_webhook(stack.rasa_url, odd).status_code == 200
    assert post_webhook(stack.rasa_url, {"object": "whatsapp_business_account", "entry": 5}).status_code == 200
    # Rasa is still up, and nothing of the above reached a conversation.
    assert post_webhook(stack.rasa_url, delivery(user, text("hello"))).status_code == 200
    stack.graph.wait_for(user, lambda t: t.startswith("Hello, I'm Haven"))
    assert [e["text"] for e in stack.tracker(user)["events"] if e["event"] == "user"] == ["hello"]


def test_the_webhook_verification_handshake(stack) -> None:
    import requests

    params = {"hub.mode": "subscribe", "hub.verify_token": fake_graph.VERIFY_TOKEN, "hub.challenge": "1158201444"}
    ok = requests.get(f"{stack.rasa_url}/webhooks/whatsapp/webhook", params=params, timeout=10)
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = requests.get(f"{stack.rasa_url}/webhooks/whatsapp/webhook",
                         params={**params, "hub.verify_token": "guess"}, timeout=10)
    assert wrong.status_code == 403
