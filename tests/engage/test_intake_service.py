"""Taking in a concern: what is stored, once, under which reference, with which history."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.service import Classification
from engage.errors import IdempotencyConflict
from engage.extensions import db
from engage.models import AuditEvent
from engage.reference_data import reference_data
from engage.services import intake
from engage.services.classification import Enrichment, classification_values
from forms.submission import ConcernSubmission
from tests.factories import contact, submission
from tests.stored import stored_concerns as stored

# 23:30 on 1 July in UTC is already 2 July in London (summer time).
LATE_EVENING = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session()


def submit(
    session: Session, sent: ConcernSubmission | None = None, **options: object
) -> intake.Receipt:
    values: dict[str, object] = {
        "areas": reference_data().areas,
        "channel": "api",
        "idempotency_key": None,
        "consent_wording_version": "v3",
        "now": LATE_EVENING,
    }
    values.update(options)
    return intake.submit_concern(session, sent or submission(), **values)  # type: ignore[arg-type]


def test_every_answer_is_stored_with_the_derived_fields(app: Flask, session: Session) -> None:
    sent = submission(
        place="Wisbech",
        impact="I am scared to cross",
        dealing_with_concerns="disagree",
        age_band="35-44",
        contact=contact(name="A Resident", email="a@example.org", phone="01632 960 001"),
    )
    receipt = submit(session, sent, idempotency_key="api:key-0001")

    (concern,) = stored(app)
    assert receipt == intake.Receipt(concern.reference, LATE_EVENING, created=True, urgent=False)
    assert (concern.text, concern.impact) == (
        "Cars racing along the High Street every night",
        "I am scared to cross",
    )
    assert (concern.district, concern.place, concern.neighbourhood) == (
        "fenland",
        "Wisbech",
        "Wisbech",
    )
    assert (concern.dealing_with_concerns, concern.age_band) == ("disagree", "35-44")
    assert (concern.channel, concern.status, concern.urgency) == ("api", "new", "routine")
    assert concern.urgency_reasons is None
    assert concern.submitted_at == LATE_EVENING
    assert concern.submitted_day == date(2026, 7, 2)
    assert concern.idempotency_key == "api:key-0001"
    assert concern.request_fingerprint == intake.fingerprint(sent)
    assert (concern.needs_review, concern.needs_translation) == (False, False)
    assert (concern.theme, concern.classified_at, concern.text_redacted) == (None, None, None)
    assert concern.themes == []
    assert concern.contact is not None
    assert (concern.contact.name, concern.contact.email, concern.contact.phone) == (
        "A Resident",
        "a@example.org",
        "01632 960 001",
    )
    assert concern.contact.consent_to_contact is True
    assert concern.contact.consent_wording_version == "v3"
    assert concern.contact.consented_at == LATE_EVENING


def test_an_urgent_concern_is_stored_as_urgent_with_its_reasons(
    app: Flask, session: Session
) -> None:
    receipt = submit(session, submission(text="My partner hits me and I am in danger"))

    (concern,) = stored(app)
    assert receipt.urgent is True
    assert concern.urgency == "urgent"
    assert concern.urgency_reasons == "danger_now,domestic_abuse"


def test_what_the_enricher_derives_is_stored_with_the_themes(app: Flask, session: Session) -> None:
    classified_at = datetime(2026, 7, 1, 23, 31, tzinfo=UTC)

    result = Classification(
        theme="speeding",
        confidence=0.8,
        secondary=(("antisocial_driving", 0.15),),
        needs_review=False,
        language="en",
        needs_translation=False,
        model_version="test-model-1",
    )

    class Enrich:
        def derive(self, text: str) -> Enrichment:
            derived = classification_values(result, classified_at)
            derived.fields["text_redacted"] = "redacted: " + text
            return derived

        def stored(self, concern_id: int, text: str) -> None:
            pass

    receipt = submit(session, enrich=Enrich())

    (concern,) = stored(app)
    assert receipt.theme == "speeding"
    assert concern.text_redacted == "redacted: Cars racing along the High Street every night"
    assert (concern.theme, concern.theme_confidence, concern.model_version) == (
        "speeding",
        0.8,
        "test-model-1",
    )
    assert (concern.language, concern.classified_at) == ("en", classified_at)
    assert [(t.theme, t.rank, t.confidence, t.source) for t in concern.themes] == [
        ("speeding", 0, 0.8, "model"),
        ("antisocial_driving", 1, 0.15, "model"),
    ]


def test_a_theme_the_model_is_unsure_of_is_not_told_to_the_sender(
    app: Flask, session: Session
) -> None:
    class Unsure:
        def derive(self, text: str) -> Enrichment:
            return Enrichment({"theme": "speeding", "needs_review": True}, [])

        def stored(self, concern_id: int, text: str) -> None:
            pass

    receipt = submit(session, enrich=Unsure())

    assert receipt.theme is None
    (concern,) = stored(app)
    assert (concern.theme, concern.needs_review) == ("speeding", True)


def test_a_quarantined_concern_has_its_reasons_in_its_history(app: Flask, session: Session) -> None:
    receipt = submit(session, quarantine_reasons=["The hidden field was filled in"])

    (concern,) = stored(app)
    assert receipt.created is True
    assert concern.status == "quarantined"
    (event,) = session.scalars(select(AuditEvent)).all()
    assert (event.action, event.object_type, event.object_id) == (
        "update",
        "concern",
        str(concern.id),
    )
    assert event.detail == {"change": "quarantined", "reasons": ["The hidden field was filled in"]}
    assert event.at == LATE_EVENING
    assert event.user_id is None


def test_a_reference_already_taken_is_drawn_again(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = submit(session)
    draws = iter([first.reference, "PP-2345-6789"])
    monkeypatch.setattr(intake, "new_reference", lambda: next(draws))

    second = submit(session, submission(text="Dealing outside the shops"))

    assert second.reference == "PP-2345-6789"
    assert [c.reference for c in stored(app)] == [first.reference, "PP-2345-6789"]


def test_a_resend_with_the_same_key_returns_the_first_receipt(app: Flask, session: Session) -> None:
    first = submit(session, idempotency_key="api:key-0002")
    again = submit(session, idempotency_key="api:key-0002", now=datetime.now(UTC))

    assert again == intake.Receipt(first.reference, LATE_EVENING, created=False, urgent=False)
    assert len(stored(app)) == 1


def test_a_key_reused_for_something_else_is_refused_and_nothing_is_stored(
    app: Flask, session: Session
) -> None:
    submit(session, idempotency_key="api:key-0003")

    with pytest.raises(IdempotencyConflict):
        submit(
            session, submission(text="Dealing outside the shops"), idempotency_key="api:key-0003"
        )
    assert len(stored(app)) == 1


@pytest.mark.parametrize(
    "sent",
    [
        submission(),
        submission(
            text="Vans parked on the pavement, ça bloque tout",
            impact="My pram does not fit",
            dealing_with_concerns="agree",
            age_band="65-74",
            contact=contact(phone="07700 900 982"),
            district_from_place=True,
        ),
    ],
)
def test_the_fingerprint_is_the_digest_of_the_submission_as_earlier_releases_made_it(
    sent: ConcernSubmission,
) -> None:
    canonical = json.dumps(asdict(sent), sort_keys=True, ensure_ascii=False)
    assert intake.fingerprint(sent) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
