"""Forget-me and retention: the one job that deletes conversations.

    python -m hotline.erasure          # run once (make erase-now); the web app also runs it every 30 s

1. Erasure requests (recorded by action_forget_me): once a request is GRACE_PERIOD old, the conversation's
   events are deleted from Rasa's SQL tracker store, with every handoff record of it (notes included) and
   the WhatsApp store's row for that user. A second pass, GRACE_PERIOD later, deletes any of its events
   older than the first deletion that came back, then the request keeps only its id and done time.
2. Retention (data/privacy.yml, `retention_days`): conversations whose latest event is older than that,
   closed handoff records closed before that, and WhatsApp contact rows not written to since.
   Waiting or assigned handoffs are never deleted by retention.

Why the grace period and the second pass: Rasa 3.6's SQLTrackerStore.save inserts only the tracker's events
beyond the number already stored for the sender (`_additional_events`). The turn that ran action_forget_me
is saved after the action returns; if its rows were deleted before that, or while any later turn is in
flight, Rasa would count 0 stored events and write the whole tracker back, old messages included.

Every deletion is idempotent, so a failed run is simply repeated by the next one. Exact coordinates are
never stored (the design forbids it), so there is nothing of that kind to delete here."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

import yaml
from sqlalchemy import Table, create_engine, delete, func, or_, select, update
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session

from hotline.db import session_scope
from hotline.models import CLOSED, ErasureRequest, HandoffRequest, utcnow

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
#: Long enough for Rasa to save the turn that ran action_forget_me (see the module's docstring).
GRACE_PERIOD = timedelta(seconds=10)
#: How many conversations one DELETE names (keeps statements small on any database).
CHUNK = 500
WHATSAPP_CHANNEL = "bot.channels.whatsapp.WhatsAppInput"


class TrackerStoreUnsupported(Exception):
    """The tracker store is not one this job can delete from (not SQL, or its file is missing)."""


# -- settings ------------------------------------------------------------------------------------------------
def privacy_settings_path() -> Path:
    return Path(os.environ.get("HAVEN_PRIVACY_CONFIG") or ROOT / "data" / "privacy.yml")


def endpoints_path() -> Path:
    """The endpoints.yml Rasa runs with: `make run` uses the repository's; tests point HAVEN_ENDPOINTS elsewhere."""
    return Path(os.environ.get("HAVEN_ENDPOINTS") or ROOT / "endpoints.yml")


def credentials_path() -> Path:
    return Path(os.environ.get("HAVEN_CREDENTIALS") or ROOT / "credentials.yml")


def retention_days(path: Optional[Path] = None) -> int:
    """The number of days conversations are kept, from the file editors change; a mistake is an error, never
    a silent default (a wrong retention is a privacy problem either way)."""
    path = path or privacy_settings_path()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    days = data.get("retention_days") if isinstance(data, dict) else None
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"{path}: retention_days must be a whole number of days, 1 or more (found {days!r})")
    return days


def tracker_store_url(endpoints: Optional[Path] = None) -> URL:
    """The database of Rasa's SQL tracker store, read the way Rasa reads it (environment variables in
    endpoints.yml are substituted). Relative SQLite paths are relative to the repository, where `make run`
    starts Rasa. Raises TrackerStoreUnsupported for any other kind of tracker store."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    from actions.secret_file import ACTIONS_TOKEN_ENV, actions_token

    # endpoints.yml names the action server's secret; Rasa's reader refuses the whole file while it is unset.
    os.environ.setdefault(ACTIONS_TOKEN_ENV, actions_token())
    endpoints = endpoints or endpoints_path()
    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None or not _is_sql_store(config.type):
        kind = "none (Rasa keeps conversations in memory)" if config is None else config.type
        raise TrackerStoreUnsupported(f"the tracker store in {endpoints} is not SQL: {kind}")
    options = {key: config.kwargs[key] for key in ("dialect", "port", "db", "username", "password", "query")
               if key in config.kwargs}
    url = make_url(SQLTrackerStore.get_db_url(host=config.url, **options))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.is_absolute():
            url = url.set(database=str(ROOT / path))
    return url


def _is_sql_store(kind: Optional[str]) -> bool:
    """Rasa's `SQL`, or a module path naming a subclass of its SQLTrackerStore (bot.tracker_store's)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.utils.common import class_from_module_path

    if (kind or "").lower() == "sql":
        return True
    try:
        store = class_from_module_path(kind or "")
    except (ImportError, AttributeError):
        return False
    return isinstance(store, type) and issubclass(store, SQLTrackerStore)


def whatsapp_store_url(credentials: Optional[Path] = None) -> URL:
    """Where the WhatsApp channel keeps its rows: `state_database_url` in credentials.yml, else its default
    (the hotline database)."""
    from bot.channels.whatsapp_store import database_url

    configured = None
    try:
        from rasa.shared.utils.io import read_config_file

        channel = (read_config_file(str(credentials or credentials_path())) or {}).get(WHATSAPP_CHANNEL) or {}
        configured = channel.get("state_database_url")
    except Exception as error:  # a missing or unreadable file: the channel would use its default too
        logger.debug("Could not read the WhatsApp settings from credentials.yml: %s", error)
    return database_url(configured)


# -- databases -----------------------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _engine(url: URL) -> Engine:
    from rasa.core.tracker_store import create_engine_kwargs

    return create_engine(url, **create_engine_kwargs(url))


def tracker_engine(url: URL) -> Engine:
    """An engine on the tracker store. A missing SQLite file is refused rather than created: it would mean
    this job looks somewhere other than where Rasa writes."""
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        raise TrackerStoreUnsupported(f"the tracker store {url.database} does not exist")
    return _engine(url)


def events_table() -> Table:
    """Rasa's own definition of its `events` table (sender_id, timestamp, ...)."""
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore.SQLEvent.__table__


@lru_cache(maxsize=4)
def whatsapp_engine(url: URL) -> Engine:
    from bot.channels.whatsapp_store import metadata

    engine = create_engine(url, future=True)
    metadata.create_all(engine)
    return engine


def epoch(moment: datetime) -> float:
    """Rasa's event timestamps are Unix seconds; hotline times are naive UTC."""
    return moment.replace(tzinfo=timezone.utc).timestamp()


# -- deleting one conversation ---------------------------------------------------------------------------------
def delete_tracker_events(tracker: Engine, conversation_id: str, before: Optional[float] = None) -> int:
    """All the conversation's events (or only those stamped before `before`). Returns how many rows."""
    events = events_table()
    statement = delete(events).where(events.c.sender_id == conversation_id)
    if before is not None:
        statement = statement.where(or_(events.c.timestamp < before, events.c.timestamp.is_(None)))
    with tracker.begin() as connection:
        return connection.execute(statement).rowcount or 0


def delete_handoff_records(session: Session, conversation_id: str) -> int:
    """Every handoff request of the conversation, whatever its status, with the agents' notes on it."""
    result = session.execute(delete(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def delete_whatsapp_rows(whatsapp: Engine, conversation_id: str, before: Optional[datetime] = None) -> int:
    """The 24-hour-window row of the user, if the conversation is a WhatsApp one (its id is the number, the
    row is keyed by the number's hash); with `before`, only if the user has not written since. Handled
    message ids are not linked to anyone and go after 7 days."""
    from bot.channels.whatsapp_store import contacts, wa_id_hash

    statement = delete(contacts).where(contacts.c.wa_id_hash == wa_id_hash(conversation_id))
    if before is not None:
        statement = statement.where(contacts.c.last_inbound_at < before)
    with whatsapp.begin() as connection:
        return connection.execute(statement).rowcount or 0


def forget_conversation(tracker: Engine, whatsapp: Engine, hotline_url: Optional[str], conversation_id: str
                        ) -> Tuple[int, int, int]:
    """Tracker events, WhatsApp row, handoff records, each in its own transaction (separate databases, and
    two writers on one SQLite file must not hold locks at once). Returns the three row counts."""
    events = delete_tracker_events(tracker, conversation_id)
    whatsapp_rows = delete_whatsapp_rows(whatsapp, conversation_id)
    with session_scope(hotline_url) as session:
        handoffs = delete_handoff_records(session, conversation_id)
    return events, whatsapp_rows, handoffs


# -- erasure requests ------------------------------------------------------------------------------------------
def record_request(session: Session, conversation_id: str, now: Optional[datetime] = None) -> ErasureRequest:
    """What action_forget_me writes: the deletion itself waits for the job (see GRACE_PERIOD)."""
    request = ErasureRequest(conversation_id=conversation_id, requested_at=now or utcnow())
    session.add(request)
    session.flush()
    return request


def _due(hotline_url: Optional[str], column: Any, cutoff: datetime, *conditions: Any
         ) -> List[Tuple[int, str, datetime]]:
    """(id, conversation id, `column`) of the requests not done whose `column` is at or before `cutoff`."""
    with session_scope(hotline_url) as session:
        rows = session.execute(select(ErasureRequest.id, ErasureRequest.conversation_id, column)
                               .where(ErasureRequest.done_at.is_(None), column <= cutoff, *conditions)
                               .order_by(ErasureRequest.id)).all()
    return [(row[0], row[1], row[2]) for row in rows]


def erase_requested(tracker: Engine, whatsapp: Engine, hotline_url: Optional[str], now: datetime,
                    grace: timedelta = GRACE_PERIOD) -> int:
    """First pass over requests at least `grace` old: delete everything, note when. Returns how many."""
    erased = 0
    for request_id, conversation_id, _ in _due(hotline_url, ErasureRequest.requested_at, now - grace,
                                               ErasureRequest.erased_at.is_(None)):
        forget_conversation(tracker, whatsapp, hotline_url, conversation_id)
        with session_scope(hotline_url) as session:
            session.execute(update(ErasureRequest).where(ErasureRequest.id == request_id).values(erased_at=now))
        erased += 1
    return erased


def finish_erased(tracker: Engine, whatsapp: Engine, hotline_url: Optional[str], now: datetime,
                  grace: timedelta = GRACE_PERIOD) -> int:
    """Second pass, `grace` after the first: events older than the first deletion that a turn in flight wrote
    back are deleted (new events, written after it, are the fresh start and stay), then the request keeps
    only its id and done time. Returns how many requests were finished."""
    finished = 0
    for request_id, conversation_id, erased_at in _due(hotline_url, ErasureRequest.erased_at, now - grace):
        came_back = delete_tracker_events(tracker, conversation_id, before=epoch(erased_at))
        if came_back:
            logger.info("Erasure request %s: %d event(s) written back during the deletion were deleted",
                        request_id, came_back)
        delete_whatsapp_rows(whatsapp, conversation_id, before=erased_at)
        with session_scope(hotline_url) as session:
            # A handoff created before the deletion (e.g. a queue request racing it) goes too.
            session.execute(delete(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id,
                                                         HandoffRequest.created_at < erased_at)
                            .execution_options(synchronize_session=False))
            session.execute(update(ErasureRequest).where(ErasureRequest.id == request_id).values(
                conversation_id=None, requested_at=None, erased_at=None, done_at=now))
        finished += 1
    return finished


def pending_count(hotline_url: Optional[str]) -> int:
    with session_scope(hotline_url) as session:
        return int(session.execute(select(func.count()).select_from(ErasureRequest)
                                   .where(ErasureRequest.done_at.is_(None))).scalar_one())


# -- retention -------------------------------------------------------------------------------------------------
def _chunks(items: Sequence[str], size: int = CHUNK) -> List[Sequence[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def delete_old_conversations(tracker: Engine, cutoff: datetime) -> int:
    """Conversations whose latest event is older than `cutoff`. Only events older than the cutoff are
    deleted, so a person writing again at this very moment never loses the new message. Returns how many."""
    events = events_table()
    before = epoch(cutoff)
    with tracker.connect() as connection:
        senders = [row[0] for row in connection.execute(
            select(events.c.sender_id).group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < before))]
    for chunk in _chunks(senders):
        with tracker.begin() as connection:
            connection.execute(delete(events).where(events.c.sender_id.in_(chunk), events.c.timestamp < before))
    return len(senders)


def delete_old_handoffs(session: Session, cutoff: datetime) -> int:
    """Closed handoff records closed before `cutoff`. Waiting and assigned ones are somebody being helped."""
    closed_at = func.coalesce(HandoffRequest.closed_at, HandoffRequest.updated_at)
    result = session.execute(delete(HandoffRequest).where(HandoffRequest.status == CLOSED, closed_at < cutoff)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def delete_old_whatsapp_contacts(whatsapp: Engine, cutoff: datetime) -> int:
    """24-hour-window rows of users who have not written since `cutoff` (needed for 24 hours only)."""
    from bot.channels.whatsapp_store import contacts

    with whatsapp.begin() as connection:
        return connection.execute(delete(contacts).where(contacts.c.last_inbound_at < cutoff)).rowcount or 0


# -- the job ---------------------------------------------------------------------------------------------------
@dataclass
class Report:
    erased: int = 0  # requests whose conversation was deleted in this run
    finished: int = 0  # requests completed (second pass) in this run
    pending: int = 0  # requests not done after this run
    old_conversations: int = 0
    old_handoffs: int = 0
    old_whatsapp_contacts: int = 0
    error: Optional[str] = None  # why the tracker store could not be touched, if so

    def __str__(self) -> str:
        text = (f"erasure: {self.erased} conversation(s) deleted on request, {self.finished} request(s) done, "
                f"{self.pending} pending; retention: {self.old_conversations} conversation(s), "
                f"{self.old_handoffs} closed handoff(s), {self.old_whatsapp_contacts} WhatsApp contact(s)")
        return text + (f"; ERROR: {self.error}" if self.error else "")


def run_once(hotline_url: Optional[str] = None, endpoints: Optional[Path] = None,
             privacy: Optional[Path] = None, whatsapp_url: Optional[URL] = None, now: Optional[datetime] = None,
             grace: timedelta = GRACE_PERIOD) -> Report:
    """One run of the whole job. Without an SQL tracker store, requests stay pending and the error is logged
    and reported: the user was promised a deletion, and only a deletion may mark a request done. A mistake
    in data/privacy.yml stops retention only, never the erasures people asked for."""
    now = now or utcnow()
    report, problems = Report(), []
    whatsapp = whatsapp_engine(whatsapp_url or whatsapp_store_url())
    try:
        tracker: Optional[Engine] = tracker_engine(tracker_store_url(endpoints))
    except TrackerStoreUnsupported as error:
        tracker = None
        problems.append(str(error))
    if tracker is not None:
        report.erased = erase_requested(tracker, whatsapp, hotline_url, now, grace)
        report.finished = finish_erased(tracker, whatsapp, hotline_url, now, grace)
    try:
        cutoff: Optional[datetime] = now - timedelta(days=retention_days(privacy))
    except (OSError, ValueError, yaml.YAMLError) as error:
        cutoff = None
        problems.append(f"retention not applied: {error}")
    if cutoff is not None:
        if tracker is not None:
            report.old_conversations = delete_old_conversations(tracker, cutoff)
        with session_scope(hotline_url) as session:
            report.old_handoffs = delete_old_handoffs(session, cutoff)
        report.old_whatsapp_contacts = delete_old_whatsapp_contacts(whatsapp, cutoff)
    report.pending = pending_count(hotline_url)
    report.error = "; ".join(problems) or None
    if report.error:
        logger.error("The erasure job could not do everything (%d erasure request(s) pending): %s",
                     report.pending, report.error)
    elif report.erased or report.finished or report.old_conversations or report.old_handoffs:
        logger.info("%s", report)
    return report


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hotline.erasure", description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoints", type=Path, help="Rasa's endpoints.yml (default: the repository's, "
                                                       "or $HAVEN_ENDPOINTS)")
    parser.add_argument("--privacy", type=Path, help="the privacy settings (default: data/privacy.yml)")
    args = parser.parse_args(argv)
    os.umask(0o077)  # a database this creates under var/ is readable by its owner only
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    report = run_once(endpoints=args.endpoints, privacy=args.privacy)
    print(report)
    return 1 if report.error else 0


if __name__ == "__main__":
    sys.exit(main())
