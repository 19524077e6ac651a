"""Taking in a concern: from a validated submission to a stored record with a reference."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from classifiers.urgency import UrgencyAssessment, assess_urgency
from engage.areas import Areas
from engage.database import write_transaction
from engage.errors import IdempotencyConflict
from engage.models import Concern, ConcernContact
from engage.references import new_reference
from engage.repository.concerns import (
    fetch_concern_by_idempotency_key,
    insert_concern,
    reference_exists,
)
from engage.services.audit import record_concern_change
from forms.submission import ConcernSubmission

_REFERENCE_ATTEMPTS = 8


@dataclass(frozen=True)
class Receipt:
    """What the resident is told: their reference, and whether this call stored it."""

    reference: str
    submitted_at: datetime
    created: bool
    urgent: bool
    theme: str | None = None


Enricher = Callable[[Concern], None]


def fingerprint(submission: ConcernSubmission) -> str:
    """A digest of everything submitted, to tell a true resend from a reused key."""
    canonical = json.dumps(asdict(submission), sort_keys=True, ensure_ascii=False)
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
    the write; it runs outside the write lock and must not touch the database.
    With ``quarantine_reasons`` (see ``screening``) the concern is stored all the same, with
    status ``quarantined`` and the reasons in its history, and the receipt looks no
    different: whoever sent it learns nothing from the answer.
    """
    digest = fingerprint(submission)
    now = now or datetime.now(UTC)
    urgency = screen_for_urgency(submission)
    concern = _build_concern(submission, areas, channel, urgency, now, consent_wording_version)
    concern.idempotency_key = idempotency_key
    concern.request_fingerprint = digest
    if quarantine_reasons:
        concern.status = "quarantined"
    if enrich is not None:
        enrich(concern)

    # Insert first and let the unique constraints speak: a resend (same idempotency key)
    # or, once in a great while, a reference already taken. Looking up first would cost
    # every submission two extra queries to save a rare one.
    for _ in range(_REFERENCE_ATTEMPTS):
        concern.reference = new_reference()
        try:
            with write_transaction(session):
                concern_id = insert_concern(session, concern)
                if quarantine_reasons:
                    record_concern_change(
                        session,
                        concern_id,
                        "quarantined",
                        user_id=None,
                        now=now,
                        reasons=list(quarantine_reasons),
                    )
            break
        except IntegrityError:
            if idempotency_key:
                earlier = _earlier_submission(session, idempotency_key, digest)
                if earlier is not None:
                    return earlier
    else:
        raise RuntimeError("Could not store the concern under an unused reference")
    return Receipt(
        concern.reference,
        concern.submitted_at,
        created=True,
        urgent=urgency.is_urgent,
        theme=None if concern.needs_review else concern.theme,
    )


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
    concern = Concern(
        text=submission.text,
        impact=submission.impact,
        district=submission.district,
        place=submission.place,
        neighbourhood=(
            areas.match_neighbourhood(submission.district, submission.place)
            if submission.place
            else None
        ),
        dealing_with_concerns=submission.dealing_with_concerns,
        age_band=submission.age_band,
        channel=channel,
        status="new",
        urgency="urgent" if urgency.is_urgent else "routine",
        urgency_reasons=",".join(urgency.reasons) or None,
        submitted_at=now,
        needs_review=False,
        needs_translation=False,
    )
    if submission.contact is not None:
        concern.contact = ConcernContact(
            name=submission.contact.name,
            email=submission.contact.email,
            phone=submission.contact.phone,
            consent_to_contact=True,
            consent_wording_version=consent_wording_version,
            consented_at=now,
        )
    return concern
