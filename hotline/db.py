"""Where the hotline database is: HAVEN_HOTLINE_DATABASE_URL (any SQLAlchemy URL; PostgreSQL in production),
else the SQLite file var/hotline.db. The action server writes to it, the console reads and updates it."""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from hotline.models import Base

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "var" / "hotline.db"


def database_url() -> str:
    return os.environ.get("HAVEN_HOTLINE_DATABASE_URL") or f"sqlite:///{DEFAULT_PATH}"


def private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (SQLite gives its -wal and -shm files the same mode);
    an older file left readable by others is tightened. It holds who asked for help and agents' notes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)


@lru_cache(maxsize=4)
def engine(url: Optional[str] = None) -> Engine:
    """One engine per URL, tables created on first use (the queue is not content: nothing to load)."""
    url = url or database_url()
    if make_url(url).get_backend_name() == "sqlite":
        database = make_url(url).database
        if database and database != ":memory:":
            private_file(Path(database))
        created = create_engine(url, connect_args={"timeout": 15})

        @event.listens_for(created, "connect")
        def _wal(connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Two processes (actions, console) write: WAL lets readers go on while one writes.
            connection.execute("PRAGMA journal_mode=WAL")
    else:
        created = create_engine(url, pool_pre_ping=True)
    Base.metadata.create_all(created)
    return created


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = sessionmaker(bind=engine(url or database_url()), expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
