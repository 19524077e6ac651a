"""Retention deletes contact details and anonymises concerns exactly when they fall due,
and never changes a count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import AuditEvent, Concern, ConcernContact, ConcernCount, Notification
from engage.notification_outbox import notification_file
from jobs.framework import JobContext, Period, run_job
from jobs.maintenance import apply_retention, retention_cutoff
from jobs.rollups import rebuild_rollups
from tests.jobs.conftest import add_concerns, concern
from tests.panel_records import add_meeting, add_panel, add_priority

# The run at 02:00 on 23 November 2026 covers 22 November: due is everything submitted
# before 23 November 2025 00:00 London time (GMT, so 00:00 UTC).
RUN_AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DAY = Period("day", date(2026, 11, 22))
CUTOFF = datetime(2025, 11, 23, 0, 0, tzinfo=UTC)


def _with_contact(item: Concern) -> Concern:
    item.contact = ConcernContact(
        name="A Resident",
        email="resident@example.org",
        phone="07700 900123",
        consent_to_contact=True,
        consent_wording_version="2026-11",
        consented_at=item.submitted_at,
    )
    return item


def test_the_cutoff_is_the_retention_period_before_the_end_of_the_day() -> None:
    assert retention_cutoff(DAY, 12) == CUTOFF
    # Summer: London midnight is 23:00 UTC the day before.
    assert retention_cutoff(Period("day", date(2026, 7, 14)), 12) == datetime(
        2025, 7, 14, 23, 0, tzinfo=UTC
    )
    # 31 March less one month is the end of February.
    assert retention_cutoff(Period("day", date(2026, 3, 30)), 1) == datetime(
        2026, 2, 28, 0, 0, tzinfo=UTC
    )


@freeze_time(RUN_AT)
def test_deletes_and_anonymises_exactly_what_is_due(session: Session) -> None:
    due, just_due, not_due = add_concerns(
        session,
        [
            _with_contact(
                concern(
                    text="My neighbour Sam Smith at 4 Elm Road deals drugs",
                    text_redacted="My neighbour [name] at [address] deals drugs",
                    impact="I am scared to go out",
                    place="Elm Road",
                    age_band="35_44",
                    submitted_at=datetime(2025, 6, 1, 12, tzinfo=UTC),
                )
            ),
            _with_contact(concern(submitted_at=CUTOFF - timedelta(seconds=1))),
            _with_contact(concern(submitted_at=CUTOFF)),
        ],
    )
    rebuild_rollups(session)
    counts_before = _counts(session)
    context = JobContext(now=RUN_AT, triggered_by="scheduler", settings={"retention_months": 12})

    run = run_job(session, "retention", apply_retention, DAY, context)

    assert run.outcome == "succeeded"
    assert run.detail["contacts_deleted"] == 2
    assert run.detail["concerns_anonymised"] == 2
    session.expire_all()
    first = session.get(Concern, due.id)
    assert first is not None
    assert first.text == "My neighbour [name] at [address] deals drugs"
    assert (first.impact, first.place, first.contact) == (None, None, None)
    assert (first.district, first.neighbourhood, first.theme, first.age_band) == (
        "fenland",
        "Wisbech",
        "speeding",
        "35_44",
    )
    second = session.get(Concern, just_due.id)
    assert second is not None
    assert (second.contact, second.place) == (None, None)
    kept = session.get(Concern, not_due.id)
    assert kept is not None
    assert kept.contact is not None
    assert kept.place == "Wisbech"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).one()
    assert event.detail["contacts_deleted"] == 2
    assert event.detail["concerns_anonymised"] == 2
    rebuild_rollups(session)
    assert _counts(session) == counts_before


@freeze_time(RUN_AT)
def test_a_second_day_erases_nothing_already_erased(session: Session) -> None:
    add_concerns(session, [_with_contact(concern(submitted_at=datetime(2025, 6, 1, tzinfo=UTC)))])
    context = JobContext(now=RUN_AT, triggered_by="scheduler", settings={"retention_months": 12})
    run_job(session, "retention", apply_retention, DAY.previous(), context)
    again = run_job(session, "retention", apply_retention, DAY, context)
    assert again.rows == 0
    assert len(session.scalars(select(AuditEvent)).all()) == 1


def test_a_concern_never_redacted_is_redacted_before_it_is_anonymised(session: Session) -> None:
    (item,) = add_concerns(
        session,
        [
            concern(
                text="Call me on 07700 900123 about the drug dealing",
                text_redacted=None,
                submitted_at=datetime(2025, 1, 5, tzinfo=UTC),
            )
        ],
    )
    context = JobContext(now=RUN_AT, triggered_by="scheduler", settings={"retention_months": 12})
    run_job(session, "retention", apply_retention, DAY, context)
    session.expire_all()
    stored = session.get(Concern, item.id)
    assert stored is not None
    assert "07700" not in stored.text
    assert stored.text == stored.text_redacted


def _counts(session: Session) -> list[tuple[object, ...]]:
    with write_transaction(session):
        rows = session.execute(
            select(
                ConcernCount.day,
                ConcernCount.district,
                ConcernCount.neighbourhood,
                ConcernCount.theme,
                ConcernCount.channel,
                ConcernCount.concerns,
            ).order_by(ConcernCount.day, ConcernCount.neighbourhood)
        ).all()
    return [tuple(row) for row in rows]


@freeze_time(RUN_AT)
def test_outbox_copies_of_emails_about_due_concerns_are_deleted(
    session: Session, tmp_path: Path
) -> None:
    """With no mail server, notifications are written to the outbox, address and all."""
    due, not_due = add_concerns(
        session,
        [
            _with_contact(concern(submitted_at=CUTOFF - timedelta(days=1))),
            _with_contact(concern(submitted_at=CUTOFF)),
        ],
    )
    priority = add_priority(session, add_meeting(session, add_panel(session)))
    copies = {}
    with write_transaction(session):
        for item in (due, not_due):
            sent = Notification(
                concern_id=item.id,
                kind="priority_set",
                priority_id=priority.id,
                action_key=0,
                state="sent",
                created_at=RUN_AT,
            )
            session.add(sent)
            session.flush()
            copies[item.id] = notification_file(tmp_path, sent.id)
    for path in copies.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("To: resident@example.org\n\nYour neighbourhood panel ...")
    settings = {"retention_months": 12, "outbox_dir": str(tmp_path)}
    context = JobContext(now=RUN_AT, triggered_by="scheduler", settings=settings)

    run = run_job(session, "retention", apply_retention, DAY, context)

    assert run.detail["message_copies_deleted"] == 1
    assert not copies[due.id].exists()
    assert copies[not_due.id].exists()
    # A day later the other concern falls due; the copy already gone is not counted again.
    later = run_job(session, "retention", apply_retention, DAY.next(), context)
    assert later.detail["message_copies_deleted"] == 1
    assert not copies[not_due.id].exists()
