"""Rasa's SQL tracker store, remembering the tracker it has just saved: for the channel guard, and for the
conversation's next message.

After every turn the channel guard (bot.channels.guard) looks at what the turn did. Reading the conversation
back from the database (every event since the session started, replayed into a tracker) cost about a tenth
of the Rasa process's time under load, for a tracker Rasa held a moment before. This store keeps the last
tracker it saved for each conversation (a bounded number of them), and the guard takes it when it is the one
of the message it checks (same message id); otherwise it reads the database as before.

The conversation's next message needs the same tracker again, and Rasa read it back from the database (every
event of the session, parsed and replayed: 6-25 ms for a conversation of 20 turns). The store hands the tracker
it saved to the next `retrieve` of that conversation instead, after checking in one count query that the
database still holds exactly the events that tracker holds: a conversation changed by anyone else (another
Rasa instance, hotline.erasure deleting it from another process, a new session) is read from the database as
before. The tracker is handed over once (the caller owns it and saves it again); a second caller of the same
conversation meanwhile reads the database.

On SQLite (the embedded default of `make run`) the database is put in write-ahead-log mode with `synchronous
= NORMAL`, SQLite's recommended setting for WAL: a turn's commit no longer waits for the disk (about 2 ms of
each turn), a crash of Haven loses nothing, a power cut can lose the last turns but never corrupts the file.

Configured in endpoints.yml (`tracker_store: type: bot.tracker_store.RememberingSQLTrackerStore`); every
setting of Rasa's SQL tracker store (SQLite, PostgreSQL) works unchanged."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Optional, Text, Tuple

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.events import SessionStarted
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
        #: sender id → (the tracker saved last, how many events of its session the database then held)
        self._resumable: "OrderedDict[str, Tuple[DialogueStateTracker, int]]" = OrderedDict()

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._resumable.pop(tracker.sender_id, None)
        await super().save(tracker)
        remember(self._just_saved, tracker.sender_id, tracker)
        if not started_a_session(tracker):
            # Held with the count of events `retrieve` must find in the database to hand it over: that check,
            # made there, also catches anything written since (no second query here on every turn).
            remember(self._resumable, tracker.sender_id, (tracker, len(tracker.events)))

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker saved last for `sender_id` when the database still holds just its events, else Rasa's
        read of the database."""
        held = self._resumable.pop(sender_id, None)
        if held is not None and self._stored_events(sender_id) == held[1]:
            return held[0]
        return await super().retrieve(sender_id)

    def _stored_events(self, sender_id: Text) -> int:
        """How many events of the conversation's latest session the database holds (Rasa's own query)."""
        with self.session_scope() as session:
            return self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()

    def take_just_saved(self, sender_id: Text, message_id: Optional[Text]) -> Optional[DialogueStateTracker]:
        """The tracker saved last for `sender_id` if its latest user message is `message_id` (and forget it)."""
        tracker = self._just_saved.pop(sender_id, None)
        if tracker is None or message_id is None or tracker.latest_message is None:
            return None
        return tracker if tracker.latest_message.message_id == message_id else None


def remember(kept: "OrderedDict[str, Any]", sender_id: Text, value: Any) -> None:
    """Keeps `value` as the newest of at most REMEMBERED conversations."""
    kept[sender_id] = value
    kept.move_to_end(sender_id)
    while len(kept) > REMEMBERED:
        kept.popitem(last=False)


def started_a_session(tracker: DialogueStateTracker) -> bool:
    """A session started after the tracker's first events: Rasa's read-back would hold only the new session."""
    return any(isinstance(event, SessionStarted) for event in list(tracker.events)[2:])


def just_saved(store: Optional[TrackerStore], sender_id: Text,
               message_id: Optional[Text]) -> Optional[DialogueStateTracker]:
    """The tracker of the turn of `message_id` if `store` (or the store it wraps) remembers it, else None."""
    store = getattr(store, "_tracker_store", store)  # Rasa wraps synchronous stores in AwaitableTrackerStore
    if isinstance(store, RememberingSQLTrackerStore):
        return store.take_just_saved(sender_id, message_id)
    return None
