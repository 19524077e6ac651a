"""Subject access and erasure: everything of one person, and nothing of anyone else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engage.database import write_transaction
from engage.models import AuditEvent, Concern, ConcernCount, Notification, PublishedQuote
from engage.notification_outbox import notification_file
from engage.services.data_protection import (
    ERASED_TEXT,
    Person,
    PersonNotIdentified,
    erase_person,
    export_person,
    find_person,
    normalise_phone,
)
from jobs.rollups import rebuild_rollups
from tests.engage.data_protection.conftest import Residents, concern_from

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _references(concerns: list[Concern]) -> list[str]:
    return [c.reference for c in concerns]


def test_a_person_is_found_by_their_exact_address_whatever_its_case_and_spaces(
    session: Session, residents: Residents
) -> None:
    found = find_person(session, Person.of(email="  JO@example.org "))
    assert _references(found) == _references(residents.jo)


def test_a_person_is_found_by_their_phone_number_however_it_is_written(
    session: Session, residents: Residents
) -> None:
    for typed in ("07700900123", "+44 7700 900123", "(07700) 900-123", "0044 7700 900123"):
        assert _references(find_person(session, Person.of(phone=typed))) == [
            residents.jo[1].reference
        ], typed


def test_email_or_phone_finds_every_concern_given_with_either(
    session: Session, residents: Residents
) -> None:
    found = find_person(session, Person.of(email="jo@example.org", phone="07700 900123"))
    assert _references(found) == _references(residents.jo)


def test_someone_must_be_named() -> None:
    with pytest.raises(PersonNotIdentified):
        Person.of(email="  ", phone="")


def test_uk_numbers_are_compared_in_their_national_form() -> None:
    assert normalise_phone("+44 (0)7700 900123") == "07700900123"
    assert normalise_phone("01632 960 001") == "01632960001"


def test_the_export_holds_everything_of_the_person_and_nothing_of_another(
    session: Session, residents: Residents
) -> None:
    exported = export_person(session, Person.of(email="jo@example.org"), user_id=None, now=NOW)

    text = json.dumps(exported)
    assert [c["reference"] for c in exported["concerns"]] == _references(residents.jo)
    first = exported["concerns"][0]
    original = residents.jo[0]
    assert first["text"] == original.text
    assert first["impact"] == original.impact
    assert first["place"] == "Elm Road"
    assert first["district"] == "fenland"
    assert first["answers"] == {"dealing_with_concerns": "disagree", "age_band": "35_44"}
    assert first["themes"] == [{"theme": "drugs", "rank": 0, "confidence": 0.9, "source": "model"}]
    assert first["status"] == "new"
    assert first["submitted_at"] == "2026-10-05T09:30:00+00:00"
    assert first["contact"]["email"] == "jo@example.org"
    assert first["contact"]["consent_to_contact"] is True
    assert first["contact"]["consent_wording_version"] == "2026-11"
    assert first["published_quote"]["text"] == original.text_redacted
    assert first["notifications"] == [
        {
            "kind": "priority_set",
            "state": "pending",
            "created_at": "2026-10-05T09:30:00+00:00",
            "sent_at": None,
        }
    ]
    assert exported["concerns"][1]["contact"]["phone"] == "07700 900123"
    assert [(e["concern"], e["action"]) for e in exported["audit_trail"]] == [
        (original.reference, "view_personal_data")
    ]
    for other in [*residents.joanne, residents.anonymous]:
        assert other.reference not in text
        assert other.text not in text
    assert "joanne@example.org" not in text
    assert "jo@example.org.uk" not in text


def test_an_export_is_itself_in_the_audit_log_without_the_address(
    session: Session, residents: Residents
) -> None:
    export_person(session, Person.of(email="jo@example.org"), user_id=None, now=NOW)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert (event.object_type, event.detail) == (
        "person",
        {"kind": "subject_access", "concerns": 2},
    )
    assert "jo@" not in json.dumps(event.detail)


def _all_concerns(session: Session) -> dict[str, Concern]:
    with write_transaction(session):
        rows = session.scalars(
            select(Concern)
            .options(selectinload(Concern.contact))
            .execution_options(populate_existing=True)
        ).all()
    return {c.reference: c for c in rows}


def _counts(session: Session) -> list[tuple[object, ...]]:
    """Every rollup fact, whatever its columns."""
    with write_transaction(session):
        return sorted(tuple(row) for row in session.execute(select(ConcernCount.__table__)))


def test_erasure_removes_exactly_that_persons_personal_data(
    session: Session, residents: Residents
) -> None:
    rebuild_rollups(session)
    counts_before = _counts(session)
    others_before = {
        r: (c.text, c.impact, c.place, c.contact.email if c.contact else None)
        for r, c in _all_concerns(session).items()
        if r not in _references(residents.jo)
    }

    erasure = erase_person(
        session, Person.of(email="JO@example.org", phone="07700900123"), user_id=None, now=NOW
    )

    assert (erasure.concerns, erasure.contacts_deleted) == (2, 2)
    assert (erasure.quotes_deleted, erasure.notifications_cancelled) == (1, 1)
    after = _all_concerns(session)
    for reference in _references(residents.jo):
        erased = after[reference]
        assert (erased.text, erased.text_redacted) == (ERASED_TEXT, ERASED_TEXT)
        assert (erased.impact, erased.place, erased.contact) == (None, None, None)
        assert (erased.district, erased.neighbourhood, erased.theme) == (
            "fenland",
            "Wisbech",
            "drugs",
        )
    others_after = {
        r: (c.text, c.impact, c.place, c.contact.email if c.contact else None)
        for r, c in after.items()
        if r not in _references(residents.jo)
    }
    assert others_after == others_before
    with write_transaction(session):
        quotes = session.scalars(select(PublishedQuote.concern_id)).all()
        states = dict(session.execute(select(Notification.concern_id, Notification.state)).all())
    assert quotes == [residents.joanne[0].id]
    assert states == {residents.jo[0].id: "cancelled", residents.joanne[0].id: "pending"}
    rebuild_rollups(session)
    assert _counts(session) == counts_before


def test_erasure_deletes_the_outbox_copies_of_emails_sent_to_that_person_only(
    session: Session, residents: Residents, tmp_path: Path
) -> None:
    """With no mail server, notifications are written to the outbox, address and all."""
    with write_transaction(session):
        owed = session.execute(select(Notification.id, Notification.concern_id)).all()
    copies = {concern_id: notification_file(tmp_path, n) for n, concern_id in owed}
    for path in copies.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("To: someone@example.org\n\nYour neighbourhood panel ...")

    erasure = erase_person(
        session, Person.of(email="jo@example.org"), user_id=None, now=NOW, outbox_dir=tmp_path
    )

    assert erasure.messages_deleted == 1
    assert not copies[residents.jo[0].id].exists()
    assert copies[residents.joanne[0].id].exists()
    with write_transaction(session):
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).one()
    assert event.detail["message_copies_deleted"] == 1


def test_erasure_is_audited_without_the_erased_data(session: Session, residents: Residents) -> None:
    erase_person(session, Person.of(email="jo@example.org"), user_id=None, now=NOW)

    with write_transaction(session):
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).one()
    recorded = json.dumps(event.detail)
    assert event.object_type == "person"
    assert event.detail["concerns_erased"] == 2
    assert sorted(event.detail["concern_ids"]) == sorted(c.id for c in residents.jo)
    for c in residents.jo:
        assert c.text not in recorded
        assert c.reference not in recorded
    assert "jo@" not in recorded
    assert "07700" not in recorded


def test_erasing_again_or_erasing_nobody_changes_nothing(
    session: Session, residents: Residents
) -> None:
    erase_person(session, Person.of(email="jo@example.org"), user_id=None, now=NOW)
    again = erase_person(session, Person.of(email="jo@example.org"), user_id=None, now=NOW)
    assert again.concerns == 0
    with write_transaction(session):
        erasures = session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).all()
    assert len(erasures) == 1


def test_an_erased_concern_never_waiting_for_the_model_is_not_classified_from_the_placeholder(
    session: Session, residents: Residents
) -> None:
    waiting = concern_from("sam@example.org", theme=None, classified_at=None)
    waiting.themes = []
    with write_transaction(session):
        session.add(waiting)

    erase_person(session, Person.of(email="sam@example.org"), user_id=None, now=NOW)

    erased = _all_concerns(session)[waiting.reference]
    assert erased.theme is None
    assert erased.classified_at == NOW
