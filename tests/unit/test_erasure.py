"""The erasure and retention job (hotline.erasure) against a real tracker store schema, written by Rasa's own
SQLTrackerStore on a temporary SQLite file, a real hotline database and the WhatsApp store's tables; the
clock is passed in. Every test checks the rows left in the databases."""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import List, Tuple

import pytest
import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from bot.channels.whatsapp_store import WhatsAppStore, contacts, wa_id_hash
from hotline import erasure
from hotline.db import session_scope
from hotline.models import ASSIGNED, CLOSED, WAITING, ErasureRequest, HandoffRequest, utcnow

GRACE = timedelta(seconds=10)


class Setup:
    """A tracker store, a hotline database (which the WhatsApp store shares, as by default) and settings."""

    def __init__(self, tmp_path: Path, tracker_store: dict | None = None, retention_days: int = 90) -> None:
        self.tracker_db = tmp_path / "tracker.db"
        self.hotline_url = f"sqlite:///{tmp_path / 'hotline.db'}"
        self.endpoints = tmp_path / "endpoints.yml"
        config = {"tracker_store": tracker_store or {"type": "SQL", "dialect": "sqlite", "db": str(self.tracker_db)}}
        self.endpoints.write_text(yaml.safe_dump(config))
        self.privacy = tmp_path / "privacy.yml"
        self.privacy.write_text(f"retention_days: {retention_days}\n")
        self.store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(self.tracker_db))
        self.whatsapp = WhatsAppStore(self.hotline_url)

    def run(self, now: datetime) -> erasure.Report:
        return erasure.run_once(hotline_url=self.hotline_url, endpoints=self.endpoints, privacy=self.privacy,
                                whatsapp_url=make_url(self.hotline_url), now=now, grace=GRACE)

    async def save(self, sender: str, events: List[Event]) -> DialogueStateTracker:
        tracker = DialogueStateTracker.from_events(sender, events)
        await self.store.save(tracker)
        return tracker

    def texts(self, sender: str) -> List[Tuple[str, str]]:
        """(type, text) of every stored event of the sender, read straight from Rasa's table."""
        engine = create_engine(f"sqlite:///{self.tracker_db}")
        events = erasure.events_table()
        with engine.connect() as connection:
            rows = connection.execute(select(events.c.type_name, events.c.data)
                                      .where(events.c.sender_id == sender).order_by(events.c.id)).all()
        engine.dispose()
        return [(kind, json.loads(data).get("text") or "") for kind, data in rows]

    def handoffs(self) -> List[Tuple[str, str]]:
        with session_scope(self.hotline_url) as s:
            return sorted((r.conversation_id, r.status) for r in s.query(HandoffRequest))

    def handoff(self, conversation: str, status: str, at: datetime, note: str | None = None) -> None:
        with session_scope(self.hotline_url) as s:
            s.add(HandoffRequest(conversation_id=conversation, channel="rest", language="en",
                                 reason="asked_for_person", priority=1, status=status, created_at=at,
                                 updated_at=at, closed_at=at if status == CLOSED else None, note=note))

    def requests(self) -> List[ErasureRequest]:
        with session_scope(self.hotline_url) as s:
            return list(s.query(ErasureRequest).order_by(ErasureRequest.id))

    def request(self, conversation: str, at: datetime) -> None:
        with session_scope(self.hotline_url) as s:
            erasure.record_request(s, conversation, now=at)

    def whatsapp_rows(self) -> List[str]:
        with self.whatsapp.engine.connect() as connection:
            return sorted(row[0] for row in connection.execute(select(contacts.c.wa_id_hash)))


def conversation(at: datetime, *texts: str) -> List[Event]:
    """A user message and the bot's answer per text, stamped at `at` (naive UTC) plus a second each."""
    events: List[Event] = []
    for i, text in enumerate(texts):
        stamp = erasure.epoch(at) + 2 * i
        events += [UserUttered(text, timestamp=stamp), BotUttered(f"answer to {text}", timestamp=stamp + 0.5),
                   ActionExecuted("action_listen", timestamp=stamp + 1)]
    return events


@pytest.fixture()
def setup(tmp_path: Path) -> Setup:
    return Setup(tmp_path)


async def test_a_request_deletes_that_conversation_only_and_waits_for_the_grace_period(setup: Setup) -> None:
    t0 = utcnow()
    await setup.save("amina", conversation(t0 - timedelta(minutes=5), "my employer kept my passport", "/forget_me"))
    await setup.save("omar", conversation(t0 - timedelta(minutes=5), "clinic in Benghazi"))
    setup.handoff("amina", CLOSED, t0 - timedelta(days=1), note="Amina, works in Misrata")
    setup.handoff("amina", WAITING, t0 - timedelta(minutes=2))
    setup.handoff("omar", WAITING, t0 - timedelta(minutes=2))
    setup.whatsapp.record_inbound("amina", t0 - timedelta(minutes=1))
    setup.whatsapp.record_inbound("omar", t0 - timedelta(minutes=1))
    setup.request("amina", t0)

    early = setup.run(t0 + GRACE - timedelta(seconds=1))  # Rasa may still be saving the turn: nothing yet
    assert (early.erased, early.pending) == (0, 1)
    assert ("user", "my employer kept my passport") in setup.texts("amina")
    assert ("amina", CLOSED) in setup.handoffs()

    report = setup.run(t0 + GRACE)
    assert (report.erased, report.finished, report.pending, report.error) == (1, 0, 1, None)
    assert setup.texts("amina") == []
    assert ("user", "clinic in Benghazi") in setup.texts("omar")
    assert setup.handoffs() == [("omar", WAITING)]
    assert setup.whatsapp_rows() == [wa_id_hash("omar")]
    assert await setup.store.retrieve("amina") is None


async def test_events_written_back_by_a_turn_in_flight_are_deleted_and_the_request_keeps_no_id(setup: Setup) -> None:
    t0 = utcnow()
    old = conversation(t0 - timedelta(minutes=5), "I am in Tripoli", "/forget_me")
    await setup.save("amina", old)
    setup.request("amina", t0)
    erased_at = t0 + GRACE
    assert setup.run(erased_at).erased == 1
    assert setup.texts("amina") == []

    # A turn that started before the deletion is saved after it: Rasa counts 0 stored events and writes the
    # whole tracker back (SQLTrackerStore._additional_events), plus that turn's new message.
    await setup.save("amina", old + conversation(erased_at - timedelta(seconds=1), "hello?"))
    # And the person writes again after the deletion: that is the fresh start, it stays.
    await setup.store.save(DialogueStateTracker.from_events(
        "amina", old + conversation(erased_at - timedelta(seconds=1), "hello?")
        + conversation(erased_at + timedelta(seconds=3), "new question")))
    assert ("user", "I am in Tripoli") in setup.texts("amina")

    assert setup.run(erased_at + GRACE - timedelta(seconds=1)).finished == 0  # second pass waits too
    report = setup.run(erased_at + GRACE)
    assert (report.finished, report.pending) == (1, 0)
    assert [text for kind, text in setup.texts("amina") if kind == "user"] == ["new question"]
    [done] = setup.requests()
    assert (done.conversation_id, done.requested_at, done.erased_at, done.done_at) == (None, None, None,
                                                                                       erased_at + GRACE)
    assert setup.run(erased_at + 2 * GRACE).erased == 0  # nothing left to do
    assert [text for kind, text in setup.texts("amina") if kind == "user"] == ["new question"]


async def test_retention_deletes_old_conversations_and_only_closed_handoffs(tmp_path: Path) -> None:
    setup = Setup(tmp_path, retention_days=30)
    now = utcnow()
    long_ago, lately = now - timedelta(days=31), now - timedelta(days=29)
    await setup.save("old", conversation(long_ago, "where is the embassy"))
    await setup.save("recent", conversation(long_ago, "first visit") + conversation(lately, "second visit"))
    setup.handoff("old", CLOSED, long_ago, note="helped with the embassy")
    setup.handoff("old-waiting", WAITING, long_ago)
    setup.handoff("old-assigned", ASSIGNED, long_ago)
    setup.handoff("recent", CLOSED, lately)
    setup.whatsapp.record_inbound("old", long_ago)
    setup.whatsapp.record_inbound("recent", lately)

    report = setup.run(now)
    assert (report.old_conversations, report.old_handoffs, report.old_whatsapp_contacts) == (1, 1, 1)
    assert setup.texts("old") == []
    assert [t for k, t in setup.texts("recent") if k == "user"] == ["first visit", "second visit"]
    assert setup.handoffs() == [("old-assigned", ASSIGNED), ("old-waiting", WAITING), ("recent", CLOSED)]
    assert setup.whatsapp_rows() == [wa_id_hash("recent")]


@pytest.mark.parametrize("tracker_store", [{"type": "redis", "url": "localhost"}, None])
async def test_without_an_sql_tracker_store_requests_stay_pending_with_an_error(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, tracker_store: dict | None) -> None:
    setup = Setup(tmp_path)
    if tracker_store is None:  # no tracker_store at all: Rasa keeps conversations in memory
        setup.endpoints.write_text(yaml.safe_dump({"action_endpoint": {"url": "http://localhost:5055/webhook"}}))
    else:
        setup.endpoints.write_text(yaml.safe_dump({"tracker_store": tracker_store}))
    t0 = utcnow()
    await setup.save("amina", conversation(t0, "hello"))
    setup.handoff("amina", WAITING, t0)
    setup.request("amina", t0)
    with caplog.at_level(logging.ERROR, logger="hotline.erasure"):
        report = setup.run(t0 + timedelta(hours=1))
    assert report.erased == 0 and report.pending == 1 and "not SQL" in (report.error or "")
    assert any("not SQL" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    [pending] = setup.requests()
    assert (pending.conversation_id, pending.erased_at, pending.done_at) == ("amina", None, None)
    assert setup.handoffs() == [("amina", WAITING)]


async def test_a_missing_tracker_database_is_not_taken_for_an_empty_one(setup: Setup) -> None:
    setup.request("amina", utcnow())
    setup.endpoints.write_text(yaml.safe_dump({"tracker_store": {"type": "SQL", "dialect": "sqlite",
                                                                 "db": str(setup.tracker_db) + ".elsewhere"}}))
    report = setup.run(utcnow() + timedelta(minutes=1))
    assert report.pending == 1 and "does not exist" in (report.error or "")
    assert not Path(str(setup.tracker_db) + ".elsewhere").exists()


async def test_a_broken_retention_setting_stops_retention_but_not_erasure(setup: Setup) -> None:
    t0 = utcnow()
    await setup.save("amina", conversation(t0, "hello"))
    await setup.save("old", conversation(t0 - timedelta(days=400), "hello"))
    setup.request("amina", t0)
    setup.privacy.write_text("retention_days: ninety\n")
    report = setup.run(t0 + GRACE)
    assert report.erased == 1 and "retention_days" in (report.error or "")
    assert setup.texts("amina") == [] and setup.texts("old") != []


@pytest.mark.parametrize("value", ["0", "-3", "ninety", "1.5", "true", ""])
def test_retention_days_must_be_a_positive_whole_number(tmp_path: Path, value: str) -> None:
    path = tmp_path / "privacy.yml"
    path.write_text(f"retention_days: {value}\n")
    with pytest.raises(ValueError, match="retention_days"):
        erasure.retention_days(path)


def test_the_project_setting_is_read_and_checked() -> None:
    from scripts import check_content

    assert erasure.retention_days() >= 1
    assert check_content.privacy(erasure.ROOT) == []


def test_relative_sqlite_paths_are_the_repository_s(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": "var/t.db"}}))
    assert Path(erasure.tracker_store_url(endpoints).database) == erasure.ROOT / "var" / "t.db"


async def test_forget_me_records_a_request_and_says_what_happens(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from actions.safety import ActionForgetMe

    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    monkeypatch.setenv("HAVEN_HOTLINE_DATABASE_URL", url)
    tracker = Tracker("amina", {"language": "fr", "host_country": "LY"}, {}, [], False, None, {}, None)
    dispatcher = CollectingDispatcher()
    events = await ActionForgetMe().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_forget_me"]
    assert [e["event"] for e in events] == ["reset_slots", "slot"] and events[1]["value"] == "fr"
    with session_scope(url) as s:
        [request] = s.query(ErasureRequest).all()
        assert request.conversation_id == "amina" and request.done_at is None


async def test_the_web_app_job_survives_a_failing_run(monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    from web import app

    runs: List[int] = []

    def flaky() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("database is locked")

    monkeypatch.setattr(erasure, "run_once", flaky)
    task = asyncio.create_task(app.erasure_loop(0.01))
    for _ in range(200):
        if len(runs) >= 3:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(runs) >= 3
    assert any("erasure job failed" in r.getMessage() for r in caplog.records)
