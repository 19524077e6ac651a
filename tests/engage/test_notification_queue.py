"""Queueing notifications: one per resident owed one, in the caller's transaction, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Concern, Notification, Panel, PanelMeeting
from engage.services.notifications import enqueue_action_recorded, enqueue_priority_set
from tests.panel_records import (
    add_action,
    add_concerns,
    add_meeting,
    add_panel,
    add_priority,
    resident_concern,
)

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    from engage.extensions import db

    with app.app_context():
        opened = db.session()
        yield opened
        opened.close()
        db.session.remove()


@pytest.fixture
def meeting(session: Session) -> PanelMeeting:
    return add_meeting(session, add_panel(session))


def queued(session: Session) -> list[tuple[str, str, int]]:
    rows = session.execute(
        select(Concern.reference, Notification.kind, Notification.action_key)
        .join(Concern, Concern.id == Notification.concern_id)
        .order_by(Concern.reference, Notification.kind)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_queues_residents_who_consented_in_the_area_period_and_theme(
    session: Session, meeting: PanelMeeting
) -> None:
    owed = resident_concern(reference="PP-OWED-0001")
    erased = resident_concern(reference="PP-ERASED")
    erased.contact = None
    add_concerns(
        session,
        owed,
        erased,
        resident_concern(reference="PP-NOCONSENT", consent=False),
        resident_concern(reference="PP-NOEMAIL", email=None, phone="07700 900123"),
        resident_concern(reference="PP-BLANKMAIL", email="  "),
        resident_concern(reference="PP-OTHERTOWN", neighbourhood="March"),
        resident_concern(reference="PP-OTHERDIST", district="peterborough"),
        resident_concern(reference="PP-OTHERTHEME", theme="drugs"),
        resident_concern(reference="PP-UNCLASSIFD", theme=None),
        resident_concern(reference="PP-QUARANTINE", status="quarantined"),
        resident_concern(
            reference="PP-TOO-EARLY", submitted_at=datetime(2026, 9, 30, 12, 0, tzinfo=UTC)
        ),
        resident_concern(
            reference="PP-TOO-LATE", submitted_at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
        ),
    )
    add_concerns(session, resident_concern(reference="PP-DUPLICATE", duplicate_of_id=owed.id))
    priority = add_priority(session, meeting, themes=("speeding", "road_safety"))

    with write_transaction(session):
        count = enqueue_priority_set(session, priority, now=NOW)

    assert count == 1
    assert queued(session) == [("PP-OWED-0001", "priority_set", 0)]
    notice = session.scalars(select(Notification)).one()
    assert (notice.state, notice.attempts, notice.priority_id) == ("pending", 0, priority.id)
    assert notice.action_id is None
    assert notice.created_at == NOW


def test_the_evidence_period_is_london_dates_with_both_ends_included(
    session: Session, meeting: PanelMeeting
) -> None:
    # 1 October 00:30 in London is 30 September 23:30 UTC; 31 October 23:30 in London
    # (after the clocks go back) is 23:30 UTC.
    add_concerns(
        session,
        resident_concern(
            reference="PP-FIRST-MIN", submitted_at=datetime(2026, 9, 30, 23, 30, tzinfo=UTC)
        ),
        resident_concern(
            reference="PP-LAST-MIN", submitted_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
        ),
        resident_concern(
            reference="PP-BEFORE", submitted_at=datetime(2026, 9, 30, 22, 59, tzinfo=UTC)
        ),
        resident_concern(
            reference="PP-AFTER", submitted_at=datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
        ),
    )
    priority = add_priority(session, meeting)

    with write_transaction(session):
        enqueue_priority_set(session, priority, now=NOW)

    assert [row[0] for row in queued(session)] == ["PP-FIRST-MIN", "PP-LAST-MIN"]


def test_a_district_wide_panel_reaches_every_neighbourhood_of_its_district(
    session: Session,
) -> None:
    panel = add_panel(session, slug="fenland", name="Fenland district panel", neighbourhood=None)
    meeting = add_meeting(session, panel)
    add_concerns(
        session,
        resident_concern(reference="PP-WISBECH", neighbourhood="Wisbech"),
        resident_concern(reference="PP-MARCH", neighbourhood="March"),
        resident_concern(reference="PP-NONE", neighbourhood=None),
        resident_concern(reference="PP-ELSEWHERE", district="huntingdonshire"),
    )
    priority = add_priority(session, meeting)

    with write_transaction(session):
        assert enqueue_priority_set(session, priority, now=NOW) == 3

    assert [row[0] for row in queued(session)] == ["PP-MARCH", "PP-NONE", "PP-WISBECH"]


def test_queueing_twice_queues_each_message_once(session: Session, meeting: PanelMeeting) -> None:
    add_concerns(session, resident_concern(), resident_concern())
    priority = add_priority(session, meeting)

    with write_transaction(session):
        first = enqueue_priority_set(session, priority, now=NOW)
    with write_transaction(session):
        second = enqueue_priority_set(session, priority, now=NOW)

    assert (first, second) == (2, 0)
    assert len(queued(session)) == 2


def test_each_action_queues_its_own_message(session: Session, meeting: PanelMeeting) -> None:
    (resident,) = add_concerns(session, resident_concern(reference="PP-ACTION-01"))
    priority = add_priority(session, meeting)
    first = add_action(session, priority)
    second = add_action(session, priority, description="A speed camera van for a month")

    with write_transaction(session):
        enqueue_priority_set(session, priority, now=NOW)
        counts = [
            enqueue_action_recorded(session, first, now=NOW),
            enqueue_action_recorded(session, second, now=NOW),
            enqueue_action_recorded(session, second, now=NOW),
        ]

    assert counts == [1, 1, 0]
    assert queued(session) == [
        ("PP-ACTION-01", "action_recorded", first.id),
        ("PP-ACTION-01", "action_recorded", second.id),
        ("PP-ACTION-01", "priority_set", 0),
    ]
    notices = session.scalars(
        select(Notification).where(Notification.kind == "action_recorded")
    ).all()
    assert sorted(n.action_id or 0 for n in notices) == sorted([first.id, second.id])
    assert {n.concern_id for n in notices} == {resident.id}


def test_nothing_is_committed_when_the_callers_transaction_rolls_back(
    session: Session, meeting: PanelMeeting
) -> None:
    add_concerns(session, resident_concern())
    priority = add_priority(session, meeting)

    def set_priority_then_fail() -> None:
        with write_transaction(session):
            assert enqueue_priority_set(session, priority, now=NOW) == 1
            raise RuntimeError("the caller's next step failed")

    with pytest.raises(RuntimeError):
        set_priority_then_fail()

    assert queued(session) == []


def test_works_on_a_priority_not_yet_flushed(session: Session, meeting: PanelMeeting) -> None:
    from engage.models import Priority, PriorityTheme

    add_concerns(session, resident_concern())
    panel = session.get(Panel, meeting.panel_id)
    assert panel is not None
    with write_transaction(session):
        priority = Priority(
            meeting_id=meeting.id,
            panel_id=panel.id,
            position=1,
            wording="Tackle speeding",
            owner="Neighbourhood team",
            set_on=meeting.held_on,
            review_on=meeting.held_on,
            status="active",
        )
        priority.themes = [PriorityTheme(theme="speeding")]
        session.add(priority)
        assert enqueue_priority_set(session, priority, now=NOW) == 1
