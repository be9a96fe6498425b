"""Agent accounts: argon2 hashes, rules for usernames and passwords, the command that creates them."""
from __future__ import annotations

import io

import pytest

from hotline import accounts
from hotline.db import session_scope
from hotline.models import Agent


@pytest.fixture()
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    monkeypatch.setenv("HAVEN_HOTLINE_DATABASE_URL", url)
    return url


def test_passwords_are_stored_as_argon2_hashes_only(url: str) -> None:
    with session_scope(url) as s:
        agent = accounts.create_agent(s, "Amina", "Amina", "correct horse battery")
        assert agent.username == "amina"
        assert agent.password_hash.startswith("$argon2id$") and "correct horse" not in agent.password_hash
        assert accounts.authenticate(s, "amina", "correct horse battery").id == agent.id
        assert accounts.authenticate(s, "amina", "wrong password!!") is None
        assert accounts.authenticate(s, "nobody", "correct horse battery") is None


def test_disabled_agents_cannot_log_in(url: str) -> None:
    with session_scope(url) as s:
        accounts.create_agent(s, "omar", "Omar", "another long passphrase").active = False
        assert accounts.authenticate(s, "omar", "another long passphrase") is None


@pytest.mark.parametrize("username,password,problem", [
    ("a", "long enough password", "Usernames"), ("amina<script>", "long enough password", "Usernames"),
    ("amina", "short", "at least"),
])
def test_bad_accounts_are_refused_with_a_reason(url: str, username: str, password: str, problem: str) -> None:
    with session_scope(url) as s, pytest.raises(accounts.AccountError, match=problem):
        accounts.create_agent(s, username, "Amina", password)


def test_the_command_creates_an_account_from_stdin(url: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert accounts.main(["create", "amina", "--name", "Amina", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert accounts.main(["create", "amina", "--name", "Amina", "--password-stdin"]) == 2
    assert "already" in capsys.readouterr().err
    with session_scope(url) as s:
        assert s.query(Agent).count() == 1
