"""A resident's rights over their records: find them, export them (subject access), erase them.

A person is whoever gave a contact email address or phone number with their concerns; they
are found by exactly that address or number (case, spaces and punctuation aside), never by
a partial match, so a similar address belongs to someone else.

Erasure follows the retention rules (``jobs/maintenance.py``) rather than deleting rows: the
contact details are deleted, and every word the person wrote (text, redacted text, impact,
place, the outcome note about them) is replaced or cleared. District, neighbourhood, theme,
channel, age band and the answers stay, so every count, rolled up already or rolled up
again later, stays as it was; without the words and the contact details what is left no
longer identifies anyone. Their published quotes are deleted, notifications still owed
to them are cancelled, and the outbox copies of e-mails sent to them are deleted. All in one
transaction, with one audit event that says an erasure
happened and how much it touched, never what was erased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from engage.database import write_transaction
from engage.models import (
    AuditEvent,
    Concern,
    ConcernContact,
    Notification,
    PublishedQuote,
)
from engage.notification_outbox import remove_notification_files
from engage.services import audit

ERASED_TEXT = "[erased at the resident's request]"
# Audit events about a concern name it by its id under one of these object types.
CONCERN_OBJECT_TYPES = ("concern", "concern_contact")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")


class PersonNotIdentified(ValueError):
    """Neither an email address nor a phone number was given."""


@dataclass(frozen=True)
class Person:
    """Who to look for: a normalised email address and/or phone number."""

    email: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, email: str | None = None, phone: str | None = None) -> Person:
        person = cls(normalise_email(email), normalise_phone(phone))
        if person.email is None and person.phone is None:
            raise PersonNotIdentified("Give an email address or a phone number")
        return person

    def describe(self) -> str:
        return " and ".join(v for v in (self.email, self.phone) if v)


@dataclass(frozen=True)
class Erasure:
    concerns: int
    contacts_deleted: int
    quotes_deleted: int
    notifications_cancelled: int
    messages_deleted: int = 0


def normalise_email(raw: str | None) -> str | None:
    value = (raw or "").strip().lower()
    return value or None


def normalise_phone(raw: str | None) -> str | None:
    """Digits only, UK numbers in their national form: "+44 7700 900982" is "07700900982"."""
    value = _PHONE_PUNCTUATION.sub("", raw or "")
    if value.startswith("+44"):
        value = "0" + value[3:].removeprefix("0")
    elif value.startswith("0044"):
        value = "0" + value[4:].removeprefix("0")
    return value or None


def _stored_phone(column: Any) -> Any:
    """The stored number without the punctuation people type, as SQL (both databases)."""
    for character in (" ", "-", "(", ")", "."):
        column = func.replace(column, character, "")
    return column


def _matches(person: Person) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if person.email:
        conditions.append(func.lower(func.trim(ConcernContact.email)) == person.email)
    if person.phone:
        stored = _stored_phone(ConcernContact.phone)
        forms = {person.phone}
        if person.phone.startswith("0"):
            forms |= {"+44" + person.phone[1:], "0044" + person.phone[1:]}
        conditions.append(stored.in_(sorted(forms)))
    return or_(*conditions)


def find_person(session: Session, person: Person) -> list[Concern]:
    """Every concern this person gave their contact details with, oldest first."""
    return list(
        session.scalars(
            select(Concern)
            .join(ConcernContact, ConcernContact.concern_id == Concern.id)
            .where(_matches(person))
            .options(selectinload(Concern.contact), selectinload(Concern.themes))
            .order_by(Concern.submitted_at, Concern.id)
            .execution_options(populate_existing=True)
        )
    )


def _person_ids(session: Session, person: Person) -> list[int]:
    return list(
        session.scalars(
            select(ConcernContact.concern_id)
            .where(_matches(person))
            .order_by(ConcernContact.concern_id)
        )
    )


def _audit_trail(session: Session, concern_ids: list[int]) -> list[AuditEvent]:
    if not concern_ids:
        return []
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type.in_(CONCERN_OBJECT_TYPES),
                AuditEvent.object_id.in_([str(i) for i in concern_ids]),
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _concern_record(
    concern: Concern, quote: PublishedQuote | None, notifications: list[Notification]
) -> dict[str, Any]:
    contact = concern.contact
    return {
        "reference": concern.reference,
        "submitted_at": _when(concern.submitted_at),
        "channel": concern.channel,
        "text": concern.text,
        "impact": concern.impact,
        "place": concern.place,
        "district": concern.district,
        "neighbourhood": concern.neighbourhood,
        "answers": {
            "dealing_with_concerns": concern.dealing_with_concerns,
            "age_band": concern.age_band,
        },
        "language": concern.language,
        "status": concern.status,
        "urgency": concern.urgency,
        "handled_at": _when(concern.handled_at),
        "outcome_note": concern.outcome_note,
        "theme": concern.theme,
        "themes": [
            {"theme": t.theme, "rank": t.rank, "confidence": t.confidence, "source": t.source}
            for t in concern.themes
        ],
        "contact": None
        if contact is None
        else {
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "consent_to_contact": contact.consent_to_contact,
            "consent_wording_version": contact.consent_wording_version,
            "consented_at": _when(contact.consented_at),
        },
        "published_quote": None
        if quote is None
        else {"text": quote.text, "approved_at": _when(quote.approved_at)},
        "notifications": [
            {
                "kind": n.kind,
                "state": n.state,
                "created_at": _when(n.created_at),
                "sent_at": _when(n.sent_at),
            }
            for n in notifications
        ],
    }


def export_person(
    session: Session, person: Person, *, user_id: int | None, now: datetime
) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data; the export is audited.

    Audit entries name what was done to their records and when; which member of staff did
    it is left out (staff are third parties to a subject access request).
    """
    with write_transaction(session):
        concerns = find_person(session, person)
        ids = [c.id for c in concerns]
        quotes = {
            q.concern_id: q
            for q in session.scalars(
                select(PublishedQuote).where(PublishedQuote.concern_id.in_(ids))
            )
        }
        notifications: dict[int, list[Notification]] = {}
        for notification in session.scalars(
            select(Notification)
            .where(Notification.concern_id.in_(ids))
            .order_by(Notification.created_at, Notification.id)
        ):
            notifications.setdefault(notification.concern_id, []).append(notification)
        reference_of = {str(c.id): c.reference for c in concerns}
        trail = [
            {
                "at": _when(event.at),
                "action": event.action,
                "concern": reference_of.get(event.object_id or ""),
                "record": event.object_type,
                "detail": event.detail,
            }
            for event in _audit_trail(session, ids)
        ]
        audit.record(
            session,
            user_id=user_id,
            action="export",
            object_type="person",
            detail={"kind": "subject_access", "concerns": len(concerns)},
            now=now,
        )
    return {
        "generated_at": now.isoformat(),
        "searched_for": {"email": person.email, "phone": person.phone},
        "concerns": [
            _concern_record(c, quotes.get(c.id), notifications.get(c.id, [])) for c in concerns
        ],
        "audit_trail": trail,
    }


def erase_person(
    session: Session,
    person: Person,
    *,
    user_id: int | None,
    now: datetime,
    outbox_dir: Path | None = None,
) -> Erasure:
    """Erase the person's personal data from every record found for them, in one go,
    including the outbox copies of e-mails sent to them (``outbox_dir``)."""
    with write_transaction(session):
        ids = _person_ids(session, person)
        if not ids:
            return Erasure(0, 0, 0, 0, 0)
        messages = (
            remove_notification_files(
                outbox_dir,
                session.scalars(select(Notification.id).where(Notification.concern_id.in_(ids))),
            )
            if outbox_dir is not None
            else 0
        )
        quotes = session.execute(
            delete(PublishedQuote)
            .where(PublishedQuote.concern_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        cancelled = session.execute(
            update(Notification)
            .where(Notification.concern_id.in_(ids), Notification.state == "pending")
            .values(state="cancelled", last_error="erased at the resident's request")
            .execution_options(synchronize_session=False)
        )
        contacts = session.execute(
            delete(ConcernContact)
            .where(ConcernContact.concern_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Concern)
            .where(Concern.id.in_(ids))
            .values(
                text=ERASED_TEXT,
                text_redacted=ERASED_TEXT,
                impact=None,
                place=None,
                request_fingerprint=None,
                needs_translation=False,
                # The words are gone: nothing is left to classify later.
                classified_at=func.coalesce(Concern.classified_at, now),
            )
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Concern)
            .where(Concern.id.in_(ids), Concern.outcome_note.is_not(None))
            .values(outcome_note=ERASED_TEXT)
            .execution_options(synchronize_session=False)
        )
        erasure = Erasure(
            concerns=len(ids),
            contacts_deleted=_rowcount(contacts),
            quotes_deleted=_rowcount(quotes),
            notifications_cancelled=_rowcount(cancelled),
            messages_deleted=messages,
        )
        audit.record(
            session,
            user_id=user_id,
            action="erase",
            object_type="person",
            detail={
                "kind": "resident_request",
                "concern_ids": ids,
                "concerns_erased": erasure.concerns,
                "contacts_deleted": erasure.contacts_deleted,
                "quotes_deleted": erasure.quotes_deleted,
                "notifications_cancelled": erasure.notifications_cancelled,
                "message_copies_deleted": erasure.messages_deleted,
            },
            now=now,
        )
    return erasure


def stop_messages(
    session: Session, concern_id: int, *, now: datetime, outbox_dir: Path | None = None
) -> str | None:
    """A resident used the link in a message to stop further messages about a concern:
    delete the concern's contact details (and the outbox copies of messages that held the
    address), cancel the messages still waiting, and record it. The concern itself, and its
    place in the counts, stay as they are.

    Returns ``"stopped"``, ``"already"`` when the details were already gone, or None when
    there is no such concern.
    """
    with write_transaction(session):
        reference = session.scalar(select(Concern.reference).where(Concern.id == concern_id))
        if reference is None:
            return None
        contacts = session.execute(
            delete(ConcernContact)
            .where(ConcernContact.concern_id == concern_id)
            .execution_options(synchronize_session=False)
        )
        if not _rowcount(contacts):
            return "already"
        cancelled = session.execute(
            update(Notification)
            .where(Notification.concern_id == concern_id, Notification.state == "pending")
            .values(state="cancelled", last_error="the resident asked for no more messages")
            .execution_options(synchronize_session=False)
        )
        messages = (
            remove_notification_files(
                outbox_dir,
                session.scalars(
                    select(Notification.id).where(Notification.concern_id == concern_id)
                ),
            )
            if outbox_dir is not None
            else 0
        )
        audit.record(
            session,
            user_id=None,
            action="erase",
            object_type="concern_contact",
            object_id=concern_id,
            detail={
                "kind": "resident_stopped_messages",
                "notifications_cancelled": _rowcount(cancelled),
                "message_copies_deleted": messages,
            },
            now=now,
        )
    return "stopped"


def _rowcount(result: object) -> int:
    return max(int(getattr(result, "rowcount", 0) or 0), 0)
