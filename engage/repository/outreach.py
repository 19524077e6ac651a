"""Reading and writing outreach sessions, the concerns logged at them, and import batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engage.models import Concern, ImportBatch, OutreachSession, User


@dataclass(frozen=True)
class SessionSummary:
    outreach_session: OutreachSession
    concerns: int
    logged_by_name: str


def add_outreach_session(session: Session, outreach_session: OutreachSession) -> OutreachSession:
    session.add(outreach_session)
    session.flush()
    return outreach_session


def fetch_outreach_session(session: Session, session_id: int) -> OutreachSession | None:
    return session.get(OutreachSession, session_id)


def list_outreach_sessions(
    session: Session, *, created_by: int | None, limit: int = 200
) -> list[SessionSummary]:
    """Newest first; ``created_by`` of None lists everyone's sessions."""
    counts = (
        select(Concern.outreach_session_id, func.count(Concern.id).label("n"))
        .where(Concern.outreach_session_id.is_not(None))
        .group_by(Concern.outreach_session_id)
        .subquery()
    )
    query = (
        select(OutreachSession, func.coalesce(counts.c.n, 0), User.name)
        .join(User, User.id == OutreachSession.created_by)
        .outerjoin(counts, counts.c.outreach_session_id == OutreachSession.id)
        .order_by(OutreachSession.held_on.desc(), OutreachSession.id.desc())
        .limit(limit)
    )
    if created_by is not None:
        query = query.where(OutreachSession.created_by == created_by)
    return [SessionSummary(s, int(n), name) for s, n, name in session.execute(query).all()]


def list_sessions_for_choice(
    session: Session, *, created_by: int | None, limit: int = 50
) -> list[OutreachSession]:
    query = (
        select(OutreachSession)
        .order_by(OutreachSession.held_on.desc(), OutreachSession.id.desc())
        .limit(limit)
    )
    if created_by is not None:
        query = query.where(OutreachSession.created_by == created_by)
    return list(session.scalars(query))


def fetch_session_concerns(session: Session, session_id: int) -> list[Concern]:
    """The concerns logged at a session, newest first, with their theme rows and contact."""
    return list(
        session.scalars(
            select(Concern)
            .where(Concern.outreach_session_id == session_id)
            .options(selectinload(Concern.themes), selectinload(Concern.contact))
            .order_by(Concern.id.desc())
        )
    )


def fetch_concerns_by_idempotency_keys(session: Session, keys: Sequence[str]) -> list[Concern]:
    if not keys:
        return []
    return list(session.scalars(select(Concern).where(Concern.idempotency_key.in_(keys))))


def fetch_concern(session: Session, concern_id: int) -> Concern | None:
    return session.get(Concern, concern_id)


def fetch_import_batch_by_digest(session: Session, digest: str) -> ImportBatch | None:
    return session.scalars(
        select(ImportBatch).where(ImportBatch.file_sha256 == digest)
    ).one_or_none()


def add_import_batch(session: Session, batch: ImportBatch) -> ImportBatch:
    session.add(batch)
    session.flush()
    return batch


def fetch_user_name(session: Session, user_id: int) -> str | None:
    return session.scalar(select(User.name).where(User.id == user_id))
