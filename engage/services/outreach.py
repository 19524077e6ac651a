"""Outreach sessions and the concerns logged at them, many to a page, stored all or nothing.

Each concern is built with the intake service's helpers (urgency, fingerprint, reference),
so a concern heard at a surgery is stored exactly like one sent on the web; the whole page
is one transaction, and each row's idempotency key makes a double submit store nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engage.areas import Areas
from engage.database import write_transaction
from engage.errors import EngageError
from engage.models import Concern, OutreachSession, User
from engage.repository.outreach import (
    add_outreach_session,
    fetch_concerns_by_idempotency_keys,
    fetch_outreach_session,
)
from engage.services import audit, intake
from forms.outreach_concerns import CheckedRow

KIND_LABELS = {
    "surgery": "Surgery",
    "street_briefing": "Street briefing",
    "panel_meeting": "Panel meeting",
    "community_event": "Community event",
    "other": "Other",
}
READERS = frozenset({"admin", "analyst"})

Enricher = Callable[[Concern], None]


class OutreachSessionNotFound(EngageError):
    title = "Outreach session not found"
    status = 404


@dataclass(frozen=True)
class SessionDetails:
    kind: str
    held_on: date
    district: str
    venue: str
    people_spoken_to: int | None
    notes: str | None


@dataclass(frozen=True)
class LoggedConcerns:
    concern_ids: list[int]
    created: int


def may_view(user: User, outreach_session: OutreachSession) -> bool:
    return user.role in READERS or outreach_session.created_by == user.id


def may_edit(user: User, outreach_session: OutreachSession) -> bool:
    return user.role == "admin" or outreach_session.created_by == user.id


def session_for(
    session: Session, session_id: int, user: User, *, to_edit: bool = False
) -> OutreachSession:
    """The session if this person may see it (or change it); to anyone else it does not exist."""
    found = fetch_outreach_session(session, session_id)
    allowed = found is not None and (may_edit if to_edit else may_view)(user, found)
    if found is None or not allowed:
        raise OutreachSessionNotFound(f"No outreach session {session_id} for this person")
    return found


def create_session(
    session: Session, details: SessionDetails, *, user_id: int, now: datetime
) -> OutreachSession:
    with write_transaction(session):
        created = add_outreach_session(
            session,
            OutreachSession(
                **_columns(details), created_by=user_id, created_at=now, updated_at=now
            ),
        )
        audit.record(
            session,
            user_id=user_id,
            action="create",
            object_type="outreach_session",
            object_id=created.id,
            now=now,
        )
    return created


def update_session(
    session: Session, session_id: int, details: SessionDetails, *, user: User, now: datetime
) -> OutreachSession:
    with write_transaction(session):
        found = session_for(session, session_id, user, to_edit=True)
        changed = {
            name: value
            for name, value in _columns(details).items()
            if getattr(found, name) != value
        }
        for name, value in changed.items():
            setattr(found, name, value)
        if changed:
            found.updated_at = now
            audit.record(
                session,
                user_id=user.id,
                action="update",
                object_type="outreach_session",
                object_id=found.id,
                detail={"changed": sorted(changed)},
                now=now,
            )
    return found


def _columns(details: SessionDetails) -> dict[str, object]:
    return {
        "kind": details.kind,
        "held_on": details.held_on,
        "district": details.district,
        "venue": details.venue,
        "people_spoken_to": details.people_spoken_to,
        "notes": details.notes,
    }


def row_key(session_id: int, submission_id: str, index: int, fingerprint: str) -> str:
    """The idempotency key of one row of one page: the same row sent twice has the same key."""
    material = f"{session_id}:{submission_id}:{index}:{fingerprint}"
    return f"outreach:{hashlib.sha256(material.encode('utf-8')).hexdigest()}"


def log_concerns(
    session: Session,
    outreach_session: OutreachSession,
    rows: Sequence[tuple[int, CheckedRow]],
    *,
    submission_id: str,
    user_id: int,
    areas: Areas,
    consent_wording_version: str,
    enrich: Enricher | None,
    now: datetime,
) -> LoggedConcerns:
    """Store every row as a concern of the session, or none of them."""
    session_id = outreach_session.id
    channel = outreach_session.kind
    district = outreach_session.district
    keyed: list[tuple[str, Concern]] = []
    for index, row in rows:
        concern = intake.build_concern(
            row.submission(district),
            areas=areas,
            channel=channel,
            consent_wording_version=consent_wording_version,
            now=now,
        )
        key = row_key(session_id, submission_id, index, concern.request_fingerprint or "")
        concern.idempotency_key = key
        concern.outreach_session_id = session_id
        concern.logged_by = user_id
        keyed.append((key, concern))

    keys = [key for key, _ in keyed]
    stored = _stored_ids(session, keys)
    new = [concern for key, concern in keyed if key not in stored]
    if enrich is not None:
        for concern in new:  # outside the write lock: classifying takes a moment
            enrich(concern)
    try:
        with write_transaction(session):
            for concern in new:
                intake.assign_reference(session, concern)
                session.add(concern)
                session.flush()
            if new:
                audit.record(
                    session,
                    user_id=user_id,
                    action="create",
                    object_type="outreach_session",
                    object_id=session_id,
                    detail={"concerns_logged": [c.id for c in new]},
                    now=now,
                )
    except IntegrityError:
        # Another request with the same rows won the race: what it stored is ours.
        stored = _stored_ids(session, keys)
        if len(stored) != len(set(keys)):
            raise
        return LoggedConcerns([stored[key] for key in keys], created=0)
    stored.update({key: concern.id for key, concern in keyed if key not in stored})
    return LoggedConcerns([stored[key] for key in keys], created=len(new))


def _stored_ids(session: Session, keys: Sequence[str]) -> dict[str, int]:
    found = {
        c.idempotency_key: c.id
        for c in fetch_concerns_by_idempotency_keys(session, keys)
        if c.idempotency_key
    }
    session.rollback()
    return found
