"""What the actions keep from the directory is read once per load, and a new load is seen at once."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from actions import common
from actions.directory import models as m
from actions.directory import queries
from actions.directory.cache import per_version
from actions.directory.load import load_directory
from actions.directory.session import directory_problem, open_session


@pytest.fixture()
def own_directory(directory_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'own.db'}"
    load_directory(directory_copy, url)
    monkeypatch.setenv("HAVEN_DATABASE_URL", url)
    return url


def test_each_load_writes_a_new_version(directory_copy, own_directory):
    with open_session() as session:
        first = session.execute(select(m.DirectoryVersion.version)).scalar_one()
    load_directory(directory_copy, own_directory)
    with open_session() as session:
        assert session.execute(select(m.DirectoryVersion.version)).scalar_one() != first


def test_computed_once_per_version_and_arguments(directory_copy, own_directory):
    calls = []

    @per_version
    def names(session, language="en"):
        calls.append(language)
        return [language]

    with open_session() as session:
        assert names(session) == ["en"] and names(session, "en") == ["en"] and names(session, language="en") == ["en"]
        assert names(session, "fr") == ["fr"]
    with open_session() as session:
        names(session, "fr")
    assert calls == ["en", "fr"]
    load_directory(directory_copy, own_directory)
    with open_session() as session:
        names(session, "fr")
    assert calls == ["en", "fr", "fr"]


def test_a_caller_changing_a_result_changes_nobody_elses(own_directory):
    with open_session() as session:
        queries.places(session).clear()
        assert queries.places(session)


def test_an_edited_and_reloaded_directory_is_read_again(directory_copy, own_directory):
    with open_session() as session:
        assert not common.gazetteer(session).lookup("Zzyzxville")
    places = directory_copy / "places.csv"
    lines = places.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = dict(zip(header, lines[1].split(",")))
    row = {column: ("" if column.startswith(("name_", "alt_")) else value) for column, value in row.items()}
    row.update(id="zzyzx", name_en="Zzyzxville")
    lines.append(",".join(row.get(column, "") for column in header))
    places.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_directory(directory_copy, own_directory)
    with open_session() as session:
        assert common.gazetteer(session).lookup("Zzyzxville")[0].entry.id == "zzyzx"
        assert "zzyzx" in [p.id for p in queries.places(session)]


def test_a_database_loaded_without_a_version_is_reported(own_directory, tmp_path):
    import sqlite3

    sqlite3.connect(tmp_path / "own.db").execute("delete from directory_version").connection.commit()
    assert "NoResultFound" in (directory_problem() or "")
    with pytest.raises(common.DirectoryUnavailable), common.directory() as session:
        common.gazetteer(session)
