"""Forget me, end to end: a REST user's conversation (and their hotline request) is really deleted from the
stack's tracker store and hotline database, by the erasure job called directly and by the web app's
background run, and Rasa's HTTP API then shows none of what they wrote."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import List

from sqlalchemy.engine import make_url

from hotline import erasure
from hotline.db import session_scope
from hotline.models import ErasureRequest, HandoffRequest, utcnow
from tests.e2e.stack import conversation_id

SAID = "My employer in Misrata kept my passport"


def user_texts(stack, sender: str) -> List[str]:
    return [e.get("text") or "" for e in stack.tracker(sender)["events"] if e.get("event") == "user"]


def requests_of(stack, sender: str) -> tuple:
    sender = conversation_id(sender)
    with session_scope(stack.hotline_url) as s:
        return (s.query(ErasureRequest).filter_by(conversation_id=sender).count(),
                s.query(HandoffRequest).filter_by(conversation_id=sender).count())


def run_job(stack, later: timedelta) -> erasure.Report:
    return erasure.run_once(hotline_url=stack.hotline_url, endpoints=stack.endpoints,
                            whatsapp_url=make_url(stack.hotline_url), now=utcnow() + later)


def test_forget_me_deletes_the_conversation_and_its_hotline_records(stack, user) -> None:
    stack.say(user, SAID)
    stack.say(user, "I want to talk to a real person")
    assert SAID in user_texts(stack, user) and requests_of(stack, user) == (0, 1)

    answer = stack.say(user, "/forget_me")
    assert "This conversation and any hotline records of it will be deleted within a few minutes" in answer
    assert "ask for a person" not in answer  # the old, false promise
    assert requests_of(stack, user) == (1, 1)

    report = run_job(stack, timedelta(minutes=1))  # past the grace period
    assert report.error is None
    assert user_texts(stack, user) == []
    assert requests_of(stack, user)[1] == 0  # the handoff record is gone
    run_job(stack, timedelta(minutes=2))  # the second pass: the request keeps no conversation id
    assert requests_of(stack, user) == (0, 0)

    assert stack.say(user, "hello")  # a fresh start
    assert user_texts(stack, user) == ["hello"]


def test_the_answer_is_translated(stack, user) -> None:
    stack.say(user, "Bonjour, je cherche une clinique à Benghazi")
    answer = stack.say(user, "/forget_me")
    assert "supprimés d'ici quelques minutes" in answer, answer


def test_the_web_app_runs_the_job_by_itself(stack, user) -> None:
    stack.start_web()  # HAVEN_ERASURE_INTERVAL_SECONDS=1 in the stack's environment
    stack.say(user, SAID)
    stack.say(user, "/forget_me")
    deadline = time.monotonic() + erasure.GRACE_PERIOD.total_seconds() + 30
    while SAID in user_texts(stack, user):
        assert time.monotonic() < deadline, "the web app's job did not delete the conversation"
        time.sleep(1)
    while requests_of(stack, user)[0]:
        assert time.monotonic() < deadline + erasure.GRACE_PERIOD.total_seconds(), "the request was not finished"
        time.sleep(1)
    assert SAID not in user_texts(stack, user)
