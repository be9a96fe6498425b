"""The handoff queue: order, one open request per conversation, atomic take-over, closing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hotline import queue
from hotline.accounts import create_agent
from hotline.db import session_scope
from hotline.models import ASSIGNED, CLOSED, WAITING, HandoffRequest, utcnow


@pytest.fixture()
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'hotline.db'}"


def _agents(url: str) -> tuple:
    with session_scope(url) as s:
        return (create_agent(s, "amina", "Amina", "correct horse battery").id,
                create_agent(s, "omar", "Omar", "another long passphrase").id)


def test_urgent_requests_go_first_then_the_longest_waiting(url: str) -> None:
    with session_scope(url) as s:
        first = queue.enqueue(s, "c1", "socketio", "en", "asked_for_person")
        second = queue.enqueue(s, "c2", "rest", "fr", "repeated_misunderstanding")
        urgent = queue.enqueue(s, "c3", "socketio", "ar", "exploitation")
        assert (first.position, second.position, urgent.position) == (1, 2, 1)
        assert [r.conversation_id for r in queue.open_requests(s)] == ["c3", "c1", "c2"]
        assert queue.position(s, queue.open_request(s, "c1")) == 2


def test_a_conversation_has_one_open_request_and_urgency_only_goes_up(url: str) -> None:
    with session_scope(url) as s:
        queue.enqueue(s, "c1", "socketio", "en", "emergency")
        again = queue.enqueue(s, "c1", "socketio", "en", "asked_for_person")
        assert not again.new and again.request.reason == "emergency" and again.request.priority == 0
        assert s.query(HandoffRequest).count() == 1


def test_a_conversation_waiting_longer_stays_ahead(url: str) -> None:
    with session_scope(url) as s:
        old = queue.enqueue(s, "old", "socketio", "en", "asked_for_person").request
        old.created_at = utcnow() - timedelta(minutes=30)
        queue.enqueue(s, "new", "socketio", "en", "asked_for_person")
        assert [r.conversation_id for r in queue.open_requests(s)] == ["old", "new"]


def test_only_one_agent_can_take_a_conversation(url: str) -> None:
    amina, omar = _agents(url)
    with session_scope(url) as s:
        request_id = queue.enqueue(s, "c1", "socketio", "en", "asked_for_person").request.id
    with session_scope(url) as s:
        assert queue.take(s, request_id, amina)
    with session_scope(url) as s:
        assert not queue.take(s, request_id, omar)
        request = queue.get(s, request_id)
        assert request.status == ASSIGNED and request.agent_id == amina


def test_only_the_holder_hands_back_and_any_agent_closes_a_waiting_request(url: str) -> None:
    amina, omar = _agents(url)
    with session_scope(url) as s:
        held = queue.enqueue(s, "c1", "socketio", "en", "asked_for_person").request.id
        waiting = queue.enqueue(s, "c2", "socketio", "en", "asked_for_person").request.id
        assert queue.take(s, held, amina)
    with session_scope(url) as s:
        assert queue.finish(s, held, omar, "not mine") is None
        assert queue.finish(s, held, amina, "  Called her back.  ") == ASSIGNED
        assert queue.finish(s, waiting, omar, "Duplicate of c1") == WAITING
        assert queue.finish(s, waiting, omar, "twice") is None
    with session_scope(url) as s:
        request = queue.get(s, held)
        assert (request.status, request.note) == (CLOSED, "Called her back.")
        assert request.handed_back_at is not None and queue.open_requests(s) == []


def test_release_puts_a_taken_request_back_in_the_line(url: str) -> None:
    amina, _ = _agents(url)
    with session_scope(url) as s:
        request_id = queue.enqueue(s, "c1", "socketio", "en", "asked_for_person").request.id
        assert queue.take(s, request_id, amina) and queue.release(s, request_id, amina)
    with session_scope(url) as s:
        assert queue.get(s, request_id).status == WAITING


def test_a_closed_conversation_can_ask_again(url: str) -> None:
    amina, _ = _agents(url)
    with session_scope(url) as s:
        first = queue.enqueue(s, "c1", "socketio", "en", "asked_for_person").request.id
        queue.finish(s, first, amina, "done")
        assert queue.enqueue(s, "c1", "socketio", "en", "asked_for_person").new


def test_the_hotline_database_file_is_readable_by_its_owner_only(tmp_path):
    """Issue 18 item 12: var/*.db were world-readable; they hold who asked for help and agents' notes."""
    import os
    import stat

    from hotline.db import session_scope

    old = os.umask(0o022)
    try:
        legacy = tmp_path / "legacy.db"
        legacy.touch(mode=0o644)
        for path in (tmp_path / "new.db", legacy):
            with session_scope(f"sqlite:///{path}") as session:
                session.execute(__import__("sqlalchemy").text("SELECT 1"))
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)
