"""Who may write as whom, against the real stack (issue 18, items 2, 3, 7 and 12): the REST channel's token,
each channel's own id namespace, widget sessions the server issued, the widget's origins, and the Rasa
token kept out of the process list."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
import socketio

from hotline.db import session_scope
from hotline.models import HandoffRequest
from tests.e2e.hotline import SocketUser
from tests.e2e.stack import REST_TOKEN, TOKEN, conversation_id


def rest(stack, body, token=REST_TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60)


def stored_events(stack, conversation: str) -> list:
    reply = requests.get(f"{stack.rasa_url}/conversations/{conversation}/tracker", params={"token": TOKEN}, timeout=30)
    reply.raise_for_status()
    return [e for e in reply.json()["events"] if e.get("event") == "user"]


@pytest.mark.parametrize("token", [None, "wrong-token", REST_TOKEN + "x"])
def test_the_rest_channel_needs_its_token(stack, user, token):
    reply = rest(stack, {"sender": user, "message": "hello"}, token=token)
    assert reply.status_code == 401 and "token" in reply.json()["error"]
    assert stored_events(stack, conversation_id(user)) == []


def test_with_its_token_rest_answers_under_the_senders_own_name(stack, user):
    reply = rest(stack, {"sender": user, "message": "hello"})
    assert reply.status_code == 200 and reply.json()
    assert {m["recipient_id"] for m in reply.json()} == {user}
    assert len(stored_events(stack, f"rest-{user}")) == 1


def test_a_whatsapp_number_sent_over_rest_never_reaches_the_whatsapp_conversation(stack):
    number = f"2126{uuid.uuid4().int % 10**8:08d}"
    assert rest(stack, {"sender": number, "message": "I want to talk to a person"}).status_code == 200
    assert stored_events(stack, number) == []
    assert len(stored_events(stack, f"rest-{number}")) == 1


@pytest.mark.parametrize("sender", ["probe user@example.org", "a/../b", "x" * 65, "", "wa%3A1"])
def test_sender_ids_outside_the_safe_alphabet_get_a_clear_error(stack, sender):
    reply = rest(stack, {"sender": sender, "message": "hello"})
    assert reply.status_code == 400 and "sender" in reply.json()["error"]


def test_a_lone_surrogate_over_rest_gets_an_answer_not_silence(stack, user):
    """Issue 18 item 8: the tokenizer failed on it and the guard never saw the turn."""
    reply = rest(stack, {"sender": user, "message": "hi \ud800"})
    assert reply.status_code == 200
    texts = [m.get("text") or "" for m in reply.json()]
    assert any(texts) and "not working" not in " ".join(texts)


def test_a_copied_widget_conversation_id_is_refused(stack):
    victim = SocketUser(stack.rasa_url)
    victim.say("hello")
    victim.wait_for(lambda text: "Haven" in text)
    session = victim.token.split(".")[0]
    for stolen in (victim.session_id, session, f"{session}.forged"):
        intruder = SocketUser(stack.rasa_url, token=stolen)
        try:
            assert intruder.session_id != victim.session_id
            intruder.say("I want to talk to a person", session_id=victim.token)  # a message naming the victim
            intruder.wait_for(lambda text: bool(text))
        finally:
            intruder.close()
    assert [e["text"] for e in stored_events(stack, victim.session_id)] == ["hello"]
    with pytest.raises(AssertionError):
        victim.wait_for(lambda text: "person" in text.lower(), timeout=3)
    victim.close()


def test_the_widget_resumes_its_own_session_with_the_token_it_was_given(stack):
    first = SocketUser(stack.rasa_url)
    first.close()
    again = SocketUser(stack.rasa_url, token=first.token)
    assert (again.token, again.session_id) == (first.token, first.session_id)
    again.close()


def test_pages_of_other_sites_cannot_open_the_widget_channel(stack):
    with pytest.raises(socketio.exceptions.ConnectionError):
        SocketUser(stack.rasa_url, origin="https://evil.example.org")
    allowed = SocketUser(stack.rasa_url, origin=stack.widget_origins[0])
    allowed.close()


def test_rasa_answers_cors_only_for_the_widgets_sites(stack):
    evil = requests.options(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=10,
                            headers={"Origin": "https://evil.example.org", "Access-Control-Request-Method": "POST"})
    assert evil.headers.get("Access-Control-Allow-Origin") not in ("*", "https://evil.example.org")


def test_the_rasa_token_is_not_on_the_process_list(stack):
    command_line = Path(f"/proc/{stack.rasa_pid()}/cmdline").read_bytes().decode(errors="replace")
    assert "serve_rasa" in command_line and TOKEN not in command_line


def test_with_the_actions_down_talk_to_a_person_still_reaches_the_hotline(stack, user):
    stack.say(user, '/inform{"country": "Egypt"}')
    stack.stop("actions")
    try:
        answer = stack.say(user, "I want to talk to a person")
        emergency = stack.say(f"{user}-2", "they are attacking us, help")
    finally:
        stack.start_actions()
    assert "I have asked a person from the hotline" in answer and "talk to a person" not in answer.lower()
    assert "122" in answer or "123" in answer
    assert "I have asked a person from the hotline" in emergency and "Emergency numbers" in emergency
    with session_scope(stack.hotline_url) as session:
        reasons = {r.conversation_id: r.reason for r in session.query(HandoffRequest)
                   .filter(HandoffRequest.conversation_id.in_([conversation_id(user), conversation_id(f"{user}-2")]))}
    assert reasons == {conversation_id(user): "asked_for_person", conversation_id(f"{user}-2"): "emergency"}
