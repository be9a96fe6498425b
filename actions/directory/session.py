"""Where the directory database is and how the actions open it."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "var" / "directory.db"


def database_url(redact: bool = False) -> str:
    """HAVEN_DATABASE_URL (any SQLAlchemy URL) or the SQLite file var/directory.db."""
    url = os.environ.get("HAVEN_DATABASE_URL") or f"sqlite:///{DEFAULT_PATH}"
    return make_url(url).__repr__() if redact else url


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # NullPool: every session opens the file anew, so a reload (atomic file swap) is seen at once.
        return create_engine(url, poolclass=NullPool)
    return create_engine(url, pool_pre_ping=True)


def open_session() -> Session:
    return sessionmaker(bind=_engine(database_url()), expire_on_commit=False)()
