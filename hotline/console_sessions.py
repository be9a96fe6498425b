"""Server-side console sessions: the only thing a browser holds is a random token, and a session exists only
as long as its row in `hotline_console_sessions` does. So logout, disabling an agent and expiry end a
session at once, even for a cookie that was copied (issue 18, item 6).

A session ends SESSION_SECONDS after login (a working day), or IDLE_SECONDS after the agent's last request
(the console polls every few seconds while a page is open, so only a closed or forgotten tab goes idle)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from hotline.models import Agent, ConsoleSession, utcnow

SESSION_SECONDS = 12 * 3600
IDLE_SECONDS = 2 * 3600
#: last_seen is written at most once a minute, not on every poll.
TOUCH_SECONDS = 60
#: Longer cookie values are not ours: refused without touching the database.
MAX_TOKEN_CHARS = 128


def token_hash(token: str) -> str:
    """SHA-256 is enough here: the token has 256 random bits, so there is nothing to guess or brute-force."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _expired(now: datetime) -> object:
    return or_(ConsoleSession.expires_at <= now, ConsoleSession.last_seen <= now - timedelta(seconds=IDLE_SECONDS))


def start(db: Session, agent_id: int, now: Optional[datetime] = None) -> str:
    """A new session for the agent; returns the token for the cookie (never stored)."""
    now = now or utcnow()
    purge_expired(db, now)
    token = secrets.token_urlsafe(32)
    db.add(ConsoleSession(token_hash=token_hash(token), agent_id=agent_id, created_at=now, last_seen=now,
                          expires_at=now + timedelta(seconds=SESSION_SECONDS)))
    db.flush()
    return token


def agent_for(db: Session, token: Optional[str], now: Optional[datetime] = None) -> Optional[Agent]:
    """The active agent whose live session this token is, else None. An expired session, or one of a
    disabled agent, is deleted on the way."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    now = now or utcnow()
    record = db.execute(select(ConsoleSession)
                        .where(ConsoleSession.token_hash == token_hash(token))).scalar_one_or_none()
    if record is None:
        return None
    agent = db.get(Agent, record.agent_id)
    idle = record.last_seen <= now - timedelta(seconds=IDLE_SECONDS)
    if record.expires_at <= now or idle or agent is None or not agent.active:
        db.delete(record)
        db.flush()
        return None
    if (now - record.last_seen).total_seconds() >= TOUCH_SECONDS:
        record.last_seen = now
    return agent


def end(db: Session, token: Optional[str]) -> bool:
    """Logout: the session is gone from the database, so its cookie is worthless from now on."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return False
    return db.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token))).rowcount > 0


def end_all(db: Session, agent_id: int) -> int:
    """Every session of this agent (a disabled account, a stolen laptop); returns how many were ended."""
    return db.execute(delete(ConsoleSession).where(ConsoleSession.agent_id == agent_id)).rowcount


def purge_expired(db: Session, now: Optional[datetime] = None) -> int:
    """Delete sessions past their end, so the table holds live sessions only."""
    return db.execute(delete(ConsoleSession).where(_expired(now or utcnow()))
                      .execution_options(synchronize_session=False)).rowcount


def count(db: Session, agent_id: Optional[int] = None) -> int:
    query = select(ConsoleSession.id)
    if agent_id is not None:
        query = query.where(ConsoleSession.agent_id == agent_id)
    return len(db.execute(query).all())
