"""Where the directory database is and how the actions open it.

The actions only read the directory, so a SQLite file is opened read-only: a missing file is an error the
actions answer politely and /health reports, never an empty database created in its place (which would
also stop `make` from rebuilding var/directory.db, its target)."""
from __future__ import annotations

import os
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "var" / "directory.db"


def database_url(redact: bool = False) -> str:
    """HAVEN_DATABASE_URL (any SQLAlchemy URL) or the SQLite file var/directory.db."""
    url = os.environ.get("HAVEN_DATABASE_URL") or f"sqlite:///{DEFAULT_PATH}"
    return make_url(url).__repr__() if redact else url


def sqlite_file(url: str) -> Optional[Path]:
    """The file of a SQLite URL (absolute), None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).absolute()


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        # Read-only (SQLite's URI `mode=ro`): sqlite3 refuses a missing file instead of creating an empty one.
        # NullPool: every session opens the file anew, so a reload (atomic file swap) is seen at once.
        uri = f"file:{quote(str(path))}?mode=ro"
        return create_engine("sqlite://", poolclass=NullPool,
                             creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    if make_url(url).get_backend_name() == "sqlite":
        return create_engine(url, poolclass=NullPool)
    return create_engine(url, pool_pre_ping=True)


def open_session() -> Session:
    return sessionmaker(bind=_engine(database_url()), expire_on_commit=False)()


def directory_problem() -> Optional[str]:
    """Why the directory cannot be read right now, or None. One tiny query (the first country), cheap
    enough for a health check, and it also catches a file without the directory's tables, or one loaded by
    an older Haven (no version for actions/directory/cache.py: `make db` loads it again)."""
    from actions.directory.models import Country, DirectoryVersion

    try:
        with open_session() as session:
            session.execute(select(Country.code).limit(1)).all()
            session.execute(select(DirectoryVersion.version)).scalar_one()
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error  # a failed statement has the driver's error in `orig`
        return f"{type(cause).__name__}: {cause}"
    return None
