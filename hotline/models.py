"""SQLAlchemy models of the hotline database: who needs a person, who is helping them, the agents and their
console sessions.

Kept apart from the directory database because the directory is rebuilt (swapped) on every content
publish, while the queue must survive it."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text, Boolean
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

#: Statuses of a handoff request.
WAITING, ASSIGNED, CLOSED = "waiting", "assigned", "closed"
#: Why a person is needed, and how urgent each reason is (lower number = answered first).
PRIORITY_OF_REASON = {"emergency": 0, "exploitation": 0, "protection": 1, "asked_for_person": 1, "repeated_misunderstanding": 1,
                      "service_unavailable": 1}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Agent(Base):
    """A hotline staff member who can log into the console."""

    __tablename__ = "hotline_agents"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), unique=True, nullable=False)
    display_name = Column(String(64), nullable=False)  # shown to the user: "Amina from the Haven hotline"
    password_hash = Column(String(255), nullable=False)  # argon2id, never the password
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class HandoffRequest(Base):
    """One conversation that needs a person. At most one open (waiting or assigned) request per conversation."""

    __tablename__ = "hotline_requests"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64), nullable=False, default="unknown")
    language = Column(String(8), nullable=False, default="en")
    reason = Column(String(64), nullable=False)
    priority = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, default=WAITING)
    agent_id = Column(Integer, ForeignKey("hotline_agents.id"))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    assigned_at = Column(DateTime)
    handed_back_at = Column(DateTime)
    closed_at = Column(DateTime)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    note = Column(Text)
    agent = relationship(Agent)

    __table_args__ = (Index("ix_hotline_requests_queue", "status", "priority", "created_at"),)


class ErasureRequest(Base):
    """A person asked Haven to forget them (action_forget_me). hotline.erasure deletes the conversation, then
    keeps only the row's id and when it was done: a count of erasures for the record, nothing that points
    back at the person.

    requested_at: when the person asked. erased_at: when the first deletion ran (a second pass a little later
    catches events that a turn in flight at that moment wrote back). done_at: finished; conversation_id,
    requested_at and erased_at are then emptied."""

    __tablename__ = "hotline_erasure_requests"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), index=True)
    requested_at = Column(DateTime)
    erased_at = Column(DateTime)
    done_at = Column(DateTime, index=True)


class ConsoleSession(Base):
    """One agent logged into the console. The cookie holds a random token and only its SHA-256 is stored, so
    a copy of the database logs nobody in; deleting the row (logout, a disabled account, expiry) ends the
    session at once, whatever cookie a browser or an attacker still holds (hotline.console_sessions)."""

    __tablename__ = "hotline_console_sessions"
    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), unique=True, nullable=False)
    agent_id = Column(Integer, ForeignKey("hotline_agents.id"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)
