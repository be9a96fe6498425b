"""Hotline agent accounts: argon2id password hashes (argon2-cffi), never the password itself.

    python -m hotline.accounts create amina --name "Amina"      # asks for the password twice
    echo "$PASSWORD" | python -m hotline.accounts create amina --name Amina --password-stdin
    python -m hotline.accounts disable amina     # can no longer log in; open console sessions end at once
    python -m hotline.accounts logout amina      # ends amina's console sessions (e.g. a lost laptop)
    python -m hotline.accounts list
"""
from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from typing import List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import console_sessions
from hotline.db import session_scope
from hotline.models import Agent

MIN_PASSWORD_CHARS = 12
USERNAME = re.compile(r"^[a-z0-9._-]{2,64}$")
_hasher = PasswordHasher()
#: Verified against when the username is unknown, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    """A username or password that cannot be used, with the reason."""


def create_agent(session: Session, username: str, display_name: str, password: str) -> Agent:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("Usernames are 2-64 characters: lowercase letters, digits, '.', '_' or '-'.")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"Passwords must have at least {MIN_PASSWORD_CHARS} characters.")
    if not display_name.strip():
        raise AccountError("The display name (shown to users) must not be empty.")
    if session.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none():
        raise AccountError(f"There is already an agent called {username!r}.")
    agent = Agent(username=username, display_name=display_name.strip()[:64], password_hash=_hasher.hash(password))
    session.add(agent)
    session.flush()
    return agent


def authenticate(session: Session, username: str, password: str) -> Optional[Agent]:
    """The active agent with these credentials, else None (same work done either way)."""
    agent = session.execute(select(Agent).where(Agent.username == username.strip().lower())).scalar_one_or_none()
    try:
        _hasher.verify(agent.password_hash if agent else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if agent is None or not agent.active:
        return None
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = _hasher.hash(password)
    return agent


def find_agent(session: Session, username: str) -> Agent:
    agent = session.execute(select(Agent).where(Agent.username == username.strip().lower())).scalar_one_or_none()
    if agent is None:
        raise AccountError(f"No agent called {username!r}.")
    return agent


def disable_agent(session: Session, username: str) -> int:
    """Stop the agent from logging in and end their open console sessions at once (a cookie someone kept
    must not outlive the account). Returns how many sessions were ended."""
    agent = find_agent(session, username)
    agent.active = False
    return console_sessions.end_all(session, agent.id)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise AccountError("The two passwords differ.")
    return first


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hotline.accounts", description="Manage hotline agents.")
    os.umask(0o077)  # the hotline database this may create is the owner's alone
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an agent account")
    create.add_argument("username")
    create.add_argument("--name", required=True, help="the name users see, e.g. Amina")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    disable = commands.add_parser("disable", help="stop an agent from logging in")
    disable.add_argument("username")
    logout = commands.add_parser("logout", help="end every console session of an agent (the account stays)")
    logout.add_argument("username")
    commands.add_parser("list", help="list agents and their open console sessions")
    args = parser.parse_args(argv)
    try:
        with session_scope() as session:
            if args.command == "create":
                agent = create_agent(session, args.username, args.name, _password(args))
                print(f"Created agent {agent.username} ({agent.display_name}).")
            elif args.command == "disable":
                ended = disable_agent(session, args.username)
                print(f"Disabled {args.username.strip().lower()}; ended {ended} console session(s).")
            elif args.command == "logout":
                ended = console_sessions.end_all(session, find_agent(session, args.username).id)
                print(f"Ended {ended} console session(s) of {args.username.strip().lower()}.")
            else:
                console_sessions.purge_expired(session)
                for agent in session.execute(select(Agent).order_by(Agent.username)).scalars():
                    print(f"{agent.username}\t{agent.display_name}\t{'active' if agent.active else 'disabled'}"
                          f"\t{console_sessions.count(session, agent.id)} session(s)")
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
