"""What the WhatsApp channel must remember across restarts: the messages already handled (Meta re-delivers
a message until it gets a 200, sometimes twice anyway) and when each user last wrote (WhatsApp's 24-hour
customer-service window). Plain SQLAlchemy 1.4, synchronous: the channel calls it in a worker thread."""
from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from sqlalchemy import Column, DateTime, MetaData, String, Table, create_engine, delete, insert, select, update
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import IntegrityError

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "sqlite:///var/hotline.db"
DATABASE_URL_ENV = "HAVEN_HOTLINE_DATABASE_URL"
KEEP_HANDLED_IDS = timedelta(days=7)
SERVICE_WINDOW = timedelta(hours=24)

metadata = MetaData()
handled_messages = Table(
    "whatsapp_handled_messages", metadata,
    Column("message_id", String(255), primary_key=True),
    Column("handled_at", DateTime, nullable=False, index=True),
)
contacts = Table(
    "whatsapp_contacts", metadata,
    # sha256 of the phone number: the window can be checked without keeping the number in this table.
    Column("wa_id_hash", String(64), primary_key=True),
    Column("last_inbound_at", DateTime, nullable=False),
)


def utcnow() -> datetime:
    """Naive UTC: what SQLite and PostgreSQL `timestamp without time zone` both store unchanged."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def wa_id_hash(wa_id: str) -> str:
    return hashlib.sha256(f"whatsapp:{wa_id}".encode()).hexdigest()


def database_url(configured: Optional[str] = None) -> URL:
    """Credentials, else $HAVEN_HOTLINE_DATABASE_URL, else var/hotline.db; relative SQLite paths are
    relative to the repository, not to wherever Rasa was started."""
    url = make_url(configured or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.is_absolute():
            url = url.set(database=str(ROOT / path))
    return url


class WhatsAppStore:
    def __init__(self, url: Optional[str] = None) -> None:
        url_ = database_url(url)
        if url_.get_backend_name() == "sqlite" and url_.database and url_.database != ":memory:":
            Path(url_.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url_, future=True)
        metadata.create_all(self.engine)
        self._last_prune: Optional[datetime] = None

    def claim(self, message_id: str, now: Optional[datetime] = None) -> bool:
        """True for the first claim of a message id, False for any re-delivery. The insert is the claim:
        two concurrent deliveries cannot both succeed."""
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(handled_messages).values(message_id=message_id,
                                                                   handled_at=now or utcnow()))
            return True
        except IntegrityError:
            return False

    def prune(self, now: Optional[datetime] = None, every: timedelta = timedelta(hours=1)) -> int:
        """Forget handled ids older than 7 days (Meta stops re-delivering long before); at most once an
        hour per process, so it can be called on every message."""
        now = now or utcnow()
        if self._last_prune is not None and now - self._last_prune < every:
            return 0
        self._last_prune = now
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(handled_messages).where(handled_messages.c.handled_at < now - KEEP_HANDLED_IDS))
        return result.rowcount or 0

    def record_inbound(self, wa_id: str, at: Optional[datetime] = None) -> None:
        """The user wrote at `at`: the 24-hour window restarts (it never moves backwards)."""
        key, at = wa_id_hash(wa_id), at or utcnow()
        table = contacts
        for _ in range(2):  # update, else insert; a concurrent insert makes the second round an update
            with self.engine.begin() as connection:
                updated = connection.execute(
                    update(table).where(table.c.wa_id_hash == key, table.c.last_inbound_at < at)
                    .values(last_inbound_at=at)).rowcount
                if updated:
                    return
                exists = connection.execute(select(table.c.wa_id_hash).where(table.c.wa_id_hash == key)).first()
                if exists:
                    return
            try:
                with self.engine.begin() as connection:
                    connection.execute(insert(table).values(wa_id_hash=key, last_inbound_at=at))
                return
            except IntegrityError:
                continue

    def last_inbound(self, wa_id: str) -> Optional[datetime]:
        with self.engine.connect() as connection:
            return connection.execute(select(contacts.c.last_inbound_at)
                                      .where(contacts.c.wa_id_hash == wa_id_hash(wa_id))).scalar()

    def window_open(self, wa_id: str, now: Optional[datetime] = None) -> bool:
        last = self.last_inbound(wa_id)
        return last is not None and (now or utcnow()) - last < SERVICE_WINDOW
