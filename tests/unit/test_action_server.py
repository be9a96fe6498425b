"""The action server's pieces (issue 18, items 1, 11, 12b): its shared secret, where it listens, its health
check, and the directory opened read-only. The routes themselves are tested against a real process in
tests/e2e/test_action_server_security.py."""
from __future__ import annotations

import asyncio
import stat
import threading

import pytest

from actions import server
from actions.directory import session as directory_session
from actions.secret_file import actions_token, secret_from_env_or_file


# -- the shared secret ------------------------------------------------------------------------------------
def test_the_secret_comes_from_the_environment_first(tmp_path, monkeypatch):
    monkeypatch.setenv("HAVEN_TEST_SECRET", "  from-env  ")
    assert secret_from_env_or_file("HAVEN_TEST_SECRET", "s", tmp_path) == "from-env"
    assert not (tmp_path / "s").exists()


def test_the_secret_file_is_made_once_for_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("HAVEN_TEST_SECRET", raising=False)
    first = secret_from_env_or_file("HAVEN_TEST_SECRET", "s", tmp_path / "var")
    assert len(first) >= 40
    assert stat.S_IMODE((tmp_path / "var" / "s").stat().st_mode) == 0o600
    assert secret_from_env_or_file("HAVEN_TEST_SECRET", "s", tmp_path / "var") == first
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["s"]  # no temporary file left behind


def test_processes_starting_together_agree_on_one_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("HAVEN_TEST_SECRET", raising=False)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(secret_from_env_or_file("HAVEN_TEST_SECRET", "s",
                                                                                    tmp_path)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len(set(seen)) == 1


def test_an_empty_environment_variable_does_not_mean_an_empty_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("HAVEN_ACTIONS_TOKEN", "")
    monkeypatch.setattr("actions.secret_file.VAR", tmp_path)
    assert actions_token() == (tmp_path / "actions-token").read_text()


def test_the_server_refuses_to_run_without_a_secret():
    with pytest.raises(ValueError):
        server.build_app("")


# -- where it listens -------------------------------------------------------------------------------------
def test_it_listens_on_loopback_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("HAVEN_ACTIONS_HOST", raising=False)
    monkeypatch.delenv("HAVEN_ACTIONS_PORT", raising=False)
    args = server.parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 5055)
    monkeypatch.setenv("HAVEN_ACTIONS_HOST", "10.0.0.5")
    assert server.parse_args([]).host == "10.0.0.5"
    assert server.parse_args(["--host", "0.0.0.0"]).host == "0.0.0.0"


# -- the directory: read-only, and its health -------------------------------------------------------------
def test_a_missing_directory_is_an_error_never_an_empty_file(tmp_path, monkeypatch):
    missing = tmp_path / "directory.db"
    monkeypatch.setenv("HAVEN_DATABASE_URL", f"sqlite:///{missing}")
    problem = directory_session.directory_problem()
    assert problem and "unable to open database file" in problem
    assert not missing.exists()


def test_a_file_without_the_directory_is_a_problem_too(tmp_path, monkeypatch):
    empty = tmp_path / "directory.db"
    empty.touch()
    monkeypatch.setenv("HAVEN_DATABASE_URL", f"sqlite:///{empty}")
    assert "no such table" in directory_session.directory_problem()


def test_the_loaded_directory_is_healthy_and_read_only(directory_url, monkeypatch):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    monkeypatch.setenv("HAVEN_DATABASE_URL", directory_url)
    assert directory_session.directory_problem() is None
    with directory_session.open_session() as db, pytest.raises(OperationalError, match="readonly"):
        db.execute(text("delete from countries"))


def test_a_path_with_odd_characters_is_opened_as_that_file(tmp_path, monkeypatch, directory_url):
    import shutil

    odd = tmp_path / "a dir #1" / "dir%41ectory.db"  # not a URI: "%41" is not "A", "#" no fragment
    odd.parent.mkdir()
    shutil.copy(directory_session.sqlite_file(directory_url), odd)
    monkeypatch.setenv("HAVEN_DATABASE_URL", f"sqlite:///{odd}")
    assert directory_session.directory_problem() is None


def test_the_health_check_is_cached():
    calls = []

    def check():
        calls.append(1)
        return "broken" if len(calls) == 1 else None

    health = server.DirectoryHealth(check, ttl=60)

    async def twice():
        return [await health.problem(), await health.problem()]

    assert asyncio.run(twice()) == ["broken", "broken"] and len(calls) == 1
    health.ttl = 0
    assert asyncio.run(health.problem()) is None and len(calls) == 2
