"""Rasa's SQL tracker store, remembering the tracker it has just saved for the channel guard.

After every turn the channel guard (bot.channels.guard) looks at what the turn did. Reading the conversation
back from the database (every event since the session started, replayed into a tracker) cost about a tenth
of the Rasa process's time under load, for a tracker Rasa held a moment before. This store keeps the last
tracker it saved for each conversation (a bounded number of them), and the guard takes it when it is the one
of the message it checks (same message id); otherwise it reads the database as before.

On SQLite (the embedded default of `make run`) the database is put in write-ahead-log mode with `synchronous
= NORMAL`, SQLite's recommended setting for WAL: a turn's commit no longer waits for the disk (about 2 ms of
each turn), a crash of Haven loses nothing, a power cut can lose the last turns but never corrupts the file.

Configured in endpoints.yml (`tracker_store: type: bot.tracker_store.RememberingSQLTrackerStore`); every
setting of Rasa's SQL tracker store (SQLite, PostgreSQL) works unchanged."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event
from sqlalchemy.engine import Engine

#: Conversations whose last saved tracker is kept: more than the turns one process has in flight at once.
REMEMBERED = 1024


def use_write_ahead_log(engine: Engine) -> None:
    """SQLite only: WAL mode (kept in the file) and `synchronous = NORMAL` on every connection."""
    if engine.dialect.name != "sqlite":
        return

    def on_connect(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    event.listen(engine, "connect", on_connect)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode = WAL")


class RememberingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_write_ahead_log(self.engine)
        self._just_saved: "OrderedDict[str, DialogueStateTracker]" = OrderedDict()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        self._just_saved[tracker.sender_id] = tracker
        self._just_saved.move_to_end(tracker.sender_id)
        while len(self._just_saved) > REMEMBERED:
            self._just_saved.popitem(last=False)

    def take_just_saved(self, sender_id: Text, message_id: Optional[Text]) -> Optional[DialogueStateTracker]:
        """The tracker saved last for `sender_id` if its latest user message is `message_id` (and forget it)."""
        tracker = self._just_saved.pop(sender_id, None)
        if tracker is None or message_id is None or tracker.latest_message is None:
            return None
        return tracker if tracker.latest_message.message_id == message_id else None


def just_saved(store: Optional[TrackerStore], sender_id: Text,
               message_id: Optional[Text]) -> Optional[DialogueStateTracker]:
    """The tracker of the turn of `message_id` if `store` (or the store it wraps) remembers it, else None."""
    store = getattr(store, "_tracker_store", store)  # Rasa wraps synchronous stores in AwaitableTrackerStore
    if isinstance(store, RememberingSQLTrackerStore):
        return store.take_just_saved(sender_id, message_id)
    return None
