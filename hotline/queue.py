"""The handoff queue: every state change of a request in one place, each one a single guarded UPDATE so
that two agents (or two console tabs) can never hold the same conversation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from hotline.models import ASSIGNED, CLOSED, PRIORITY_OF_REASON, WAITING, HandoffRequest, utcnow

OPEN = (WAITING, ASSIGNED)


@dataclass(frozen=True)
class Enqueued:
    request: HandoffRequest
    position: int  # 1 = next to be answered
    new: bool


def priority_of(reason: str) -> int:
    return PRIORITY_OF_REASON.get(reason, 1)


def open_request(session: Session, conversation_id: str) -> Optional[HandoffRequest]:
    return session.execute(
        select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id,
                                     HandoffRequest.status.in_(OPEN))
        .order_by(HandoffRequest.created_at.desc())).scalars().first()


def position(session: Session, request: HandoffRequest) -> int:
    """Place in the waiting line: requests that are more urgent, or as urgent and older, come first."""
    ahead = session.execute(
        select(func.count()).select_from(HandoffRequest).where(
            HandoffRequest.status == WAITING, HandoffRequest.id != request.id,
            or_(HandoffRequest.priority < request.priority,
                and_(HandoffRequest.priority == request.priority, HandoffRequest.created_at <= request.created_at)))
    ).scalar_one()
    return int(ahead) + 1


def enqueue(session: Session, conversation_id: str, channel: str, language: str, reason: str) -> Enqueued:
    """Ask for a person. A conversation already in the queue keeps its place; a more urgent reason raises it."""
    existing = open_request(session, conversation_id)
    if existing is not None:
        if priority_of(reason) < existing.priority:
            existing.priority, existing.reason = priority_of(reason), reason
        existing.language, existing.channel = language, channel or existing.channel
        session.flush()
        return Enqueued(existing, position(session, existing), new=False)
    request = HandoffRequest(conversation_id=conversation_id, channel=channel or "unknown", language=language,
                             reason=reason, priority=priority_of(reason), status=WAITING, created_at=utcnow())
    session.add(request)
    session.flush()
    return Enqueued(request, position(session, request), new=True)


def open_requests(session: Session) -> List[HandoffRequest]:
    """The console's queue: most urgent first, then longest waiting; assigned ones after the waiting ones."""
    return list(session.execute(
        select(HandoffRequest).where(HandoffRequest.status.in_(OPEN))
        .order_by((HandoffRequest.status == ASSIGNED).asc(), HandoffRequest.priority.asc(),
                  HandoffRequest.created_at.asc())).scalars())


def get(session: Session, request_id: int) -> Optional[HandoffRequest]:
    return session.get(HandoffRequest, request_id)


def take(session: Session, request_id: int, agent_id: int) -> bool:
    """Assign a waiting request to an agent. False if it is not waiting any more (someone else was faster)."""
    result = session.execute(
        update(HandoffRequest).where(HandoffRequest.id == request_id, HandoffRequest.status == WAITING)
        .values(status=ASSIGNED, agent_id=agent_id, assigned_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def release(session: Session, request_id: int, agent_id: int) -> bool:
    """Undo a take (used when pausing the bot failed), so the request is not stuck with nobody."""
    result = session.execute(
        update(HandoffRequest).where(HandoffRequest.id == request_id, HandoffRequest.status == ASSIGNED,
                                     HandoffRequest.agent_id == agent_id)
        .values(status=WAITING, agent_id=None, assigned_at=None, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def finish(session: Session, request_id: int, agent_id: int, note: Optional[str]) -> Optional[str]:
    """Close a request: the holder hands it back, or any agent closes a waiting one. Returns the status it
    had (ASSIGNED means the bot must be resumed), or None if this agent may not close it."""
    request = get(session, request_id)
    if request is None or request.status not in OPEN:
        return None
    if request.status == ASSIGNED and request.agent_id != agent_id:
        return None
    before = request.status
    now = utcnow()
    result = session.execute(
        update(HandoffRequest).where(HandoffRequest.id == request_id, HandoffRequest.status == before,
                                     or_(HandoffRequest.agent_id == agent_id, HandoffRequest.agent_id.is_(None)))
        .values(status=CLOSED, closed_at=now, updated_at=now, note=(note or "").strip() or None,
                agent_id=agent_id, handed_back_at=now if before == ASSIGNED else None)
        .execution_options(synchronize_session=False))
    return before if result.rowcount == 1 else None
