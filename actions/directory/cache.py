"""What the actions read from the directory on every turn, read once per loaded directory.

The directory only changes when it is loaded again (`make db`, `make publish`), but the actions asked the
database for the same rows on every turn: the eligibility form rebuilt the gazetteer of every place and
country name and read every programme with its criteria for each answer (`make bench`, turns). Each load
writes a new version (models.DirectoryVersion); a session reads it once, and a function decorated with
`per_version` computes its result once per version and arguments. A new load is seen at the next session,
as before, and a database that cannot be read still fails as before (the version query fails first).

Results are shared between calls: the decorated functions return immutable values (tuples, frozen
dataclasses) or containers callers only read; a list or dict result is handed out as a shallow copy."""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Dict, Hashable, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.directory import models as m

T = TypeVar("T")
_SESSION_KEY = "haven_directory_version"
#: Different argument combinations kept per function (languages x fields): far more than the directory has.
MAX_ENTRIES_PER_FUNCTION = 256


def directory_version(session: Session) -> str:
    """The version of the directory this session reads, asked once per session."""
    version = session.info.get(_SESSION_KEY)
    if version is None:
        version = session.execute(select(m.DirectoryVersion.version)).scalar_one()
        session.info[_SESSION_KEY] = version
    return version


class _VersionedResults:
    """One function's results for the current directory version; a new version starts empty."""

    def __init__(self) -> None:
        self.version: str = ""
        self.results: Dict[Hashable, Any] = {}
        self.lock = threading.Lock()

    def get(self, version: str, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self.lock:
            if version != self.version:
                self.version, self.results = version, {}
            if key in self.results:
                return self.results[key]
        value = compute()  # outside the lock: a database read; two callers may both compute, both are right
        with self.lock:
            if version == self.version and len(self.results) < MAX_ENTRIES_PER_FUNCTION:
                self.results[key] = value
        return value


def per_version(function: Callable[..., T]) -> Callable[..., T]:
    """`function(session, ...)` computed once per directory version and arguments (defaults filled in, so
    `places(s)` and `places(s, "en")` share a result)."""
    results = _VersionedResults()
    signature = inspect.signature(function)

    @functools.wraps(function)
    def cached(session: Session, *args: Hashable, **kwargs: Hashable) -> T:
        bound = signature.bind(session, *args, **kwargs)
        bound.apply_defaults()
        key = tuple(bound.arguments.items())[1:]
        value = results.get(directory_version(session), key, lambda: function(session, *args, **kwargs))
        if isinstance(value, list):
            return list(value)  # type: ignore[return-value]
        if isinstance(value, dict):
            return dict(value)  # type: ignore[return-value]
        return value

    return cached
