"""Taking in a concern: from a validated submission to a stored record with a reference."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from classifiers.urgency import UrgencyAssessment, assess_urgency
from engage.areas import Areas
from engage.database import DriverWrite, driver_write
from engage.errors import IdempotencyConflict
from engage.london_time import london_day
from engage.models import Concern, ConcernContact
from engage.references import new_reference
from engage.repository.audit_events import insert_audit_event
from engage.repository.concerns import (
    fetch_concern_by_idempotency_key,
    fetch_concern_by_reference,
    insert_concern,
    reference_exists,
)
from engage.services.audit import concern_change_values
from engage.services.classification import Enrichment
from forms.submission import ConcernSubmission, ContactDetails

_REFERENCE_ATTEMPTS = 8


@dataclass(frozen=True)
class Receipt:
    """What the resident is told: their reference, and whether this call stored it."""

    reference: str
    submitted_at: datetime
    created: bool
    urgent: bool
    theme: str | None = None


class Enricher(Protocol):
    """Derives the redacted text and the themes (``engage.services.classification``)."""

    def derive(self, text: str) -> Enrichment: ...
    def stored(self, concern_id: int, text: str) -> None: ...


def fingerprint(submission: ConcernSubmission) -> str:
    """A digest of everything submitted, to tell a true resend from a reused key.

    The canonical form is ``dataclasses.asdict`` of the submission (spelt out here, as
    ``asdict`` deep-copies and costs a submission more than the hash): stored
    fingerprints from earlier releases must keep matching.
    """
    contact = submission.contact
    fields = {
        "text": submission.text,
        "district": submission.district,
        "place": submission.place,
        "impact": submission.impact,
        "dealing_with_concerns": submission.dealing_with_concerns,
        "age_band": submission.age_band,
        "contact": None
        if contact is None
        else {"name": contact.name, "email": contact.email, "phone": contact.phone},
        "district_from_place": submission.district_from_place,
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def screen_for_urgency(submission: ConcernSubmission) -> UrgencyAssessment:
    return assess_urgency(submission.text, submission.impact)


def submit_concern(
    session: Session,
    submission: ConcernSubmission,
    *,
    areas: Areas,
    channel: str,
    idempotency_key: str | None,
    consent_wording_version: str,
    enrich: Enricher | None = None,
    now: datetime | None = None,
    quarantine_reasons: Sequence[str] = (),
) -> Receipt:
    """Store a concern once, however many times the same submission arrives.

    ``enrich`` adds what is derived from the text (themes, language, redacted copy) before
    the write; it runs outside the write lock and must not touch the database. It is told
    when the concern is committed, for themes that are worked out just after.
    With ``quarantine_reasons`` (see ``screening``) the concern is stored all the same, with
    status ``quarantined`` and the reasons in its history, and the receipt looks no
    different: whoever sent it learns nothing from the answer.

    The rows are written from the submission as plain values, never as ORM objects: this
    is the hottest write in the service, and it only ever creates rows.
    """
    digest = fingerprint(submission)
    now = now or datetime.now(UTC)
    urgency = screen_for_urgency(submission)
    row = _concern_row(submission, areas, channel, urgency, now)
    row["idempotency_key"] = idempotency_key
    row["request_fingerprint"] = digest
    if quarantine_reasons:
        row["status"] = "quarantined"
    themes = _enrich(row, enrich) if enrich is not None else []
    contact = _contact_row(submission.contact, consent_wording_version, now)

    # Insert first and let the unique constraints speak: a resend (same idempotency key)
    # or, once in a great while, a reference already taken. Looking up first would cost
    # every submission two extra queries to save a rare one.
    for _ in range(_REFERENCE_ATTEMPTS):
        row["reference"] = new_reference()
        try:
            with driver_write(session) as write:
                concern_id = insert_concern(write, row, contact=contact, themes=themes)
                if quarantine_reasons:
                    _record_quarantine(write, concern_id, quarantine_reasons, now)
            break
        except IntegrityError:
            if idempotency_key:
                earlier = _earlier_submission(session, idempotency_key, digest)
                if earlier is not None:
                    return earlier
    else:
        raise RuntimeError("Could not store the concern under an unused reference")
    if enrich is not None:
        enrich.stored(concern_id, row["text"])
    return Receipt(
        row["reference"],
        now,
        created=True,
        urgent=urgency.is_urgent,
        theme=None if row["needs_review"] else row["theme"],
    )


def theme_to_tell(session: Session, reference: str) -> str | None:
    """The theme a sender may be told for their concern: once it is classified, and only
    if the model was sure of it (classified just after storing, it may not be yet)."""
    concern = fetch_concern_by_reference(session, reference)
    session.rollback()
    return None if concern is None else told_theme(concern)


def told_theme(concern: Concern) -> str | None:
    if concern.classified_at is None or concern.needs_review:
        return None
    return concern.theme


def build_concern(
    submission: ConcernSubmission,
    *,
    areas: Areas,
    channel: str,
    consent_wording_version: str,
    now: datetime,
) -> Concern:
    """A new, unsaved concern, screened for urgency and fingerprinted, for services that
    store several concerns in one transaction (``submit_concern`` stores one)."""
    urgency = screen_for_urgency(submission)
    concern = _build_concern(submission, areas, channel, urgency, now, consent_wording_version)
    concern.request_fingerprint = fingerprint(submission)
    return concern


def assign_reference(session: Session, concern: Concern) -> None:
    """Give a concern about to be stored an unused reference; call inside the write."""
    concern.reference = _unused_reference(session)


def _earlier_submission(session: Session, key: str, digest: str) -> Receipt | None:
    existing = fetch_concern_by_idempotency_key(session, key)
    session.rollback()
    if existing is None:
        return None
    if existing.request_fingerprint != digest:
        raise IdempotencyConflict(
            "A different concern was already sent with this idempotency key. "
            "Use a new key for a new concern."
        )
    return Receipt(
        existing.reference,
        existing.submitted_at,
        created=False,
        urgent=existing.urgency == "urgent",
        theme=None if existing.needs_review else existing.theme,
    )


def _unused_reference(session: Session) -> str:
    for _ in range(_REFERENCE_ATTEMPTS):
        reference = new_reference()
        if not reference_exists(session, reference):
            return reference
    raise RuntimeError("Could not find an unused reference; the reference space needs widening")


def _build_concern(
    submission: ConcernSubmission,
    areas: Areas,
    channel: str,
    urgency: UrgencyAssessment,
    now: datetime,
    consent_wording_version: str,
) -> Concern:
    concern = Concern(**_concern_row(submission, areas, channel, urgency, now))
    contact = _contact_row(submission.contact, consent_wording_version, now)
    if contact is not None:
        concern.contact = ConcernContact(**contact)
    return concern


def _concern_row(
    submission: ConcernSubmission,
    areas: Areas,
    channel: str,
    urgency: UrgencyAssessment,
    now: datetime,
) -> dict[str, Any]:
    """A new concern's values: one for every column ``insert_concern`` writes."""
    return {
        "reference": None,
        "text": submission.text,
        "impact": submission.impact,
        "district": submission.district,
        "place": submission.place,
        "neighbourhood": (
            areas.match_neighbourhood(submission.district, submission.place)
            if submission.place
            else None
        ),
        "dealing_with_concerns": submission.dealing_with_concerns,
        "age_band": submission.age_band,
        "channel": channel,
        "language": None,
        "status": "new",
        "urgency": "urgent" if urgency.is_urgent else "routine",
        "urgency_reasons": ",".join(urgency.reasons) or None,
        "submitted_at": now,
        "submitted_day": london_day(now),
        "idempotency_key": None,
        "request_fingerprint": None,
        "theme": None,
        "theme_confidence": None,
        "model_version": None,
        "needs_review": False,
        "needs_translation": False,
        "classified_at": None,
        "text_redacted": None,
    }


def _contact_row(
    contact: ContactDetails | None, consent_wording_version: str, now: datetime
) -> dict[str, Any] | None:
    if contact is None:
        return None
    return {
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "consent_to_contact": True,
        "consent_wording_version": consent_wording_version,
        "consented_at": now,
    }


def _enrich(row: dict[str, Any], enrich: Enricher) -> list[dict[str, Any]]:
    """Copy what the enricher derives from the text into ``row``; return the theme rows."""
    enrichment = enrich.derive(row["text"])
    row.update(enrichment.fields)
    return enrichment.themes


def _record_quarantine(
    write: DriverWrite, concern_id: int, reasons: Sequence[str], now: datetime
) -> None:
    """The quarantine's audit event, in the concern's own transaction."""
    insert_audit_event(
        write,
        concern_change_values(
            concern_id, "quarantined", user_id=None, now=now, reasons=list(reasons)
        ),
    )
