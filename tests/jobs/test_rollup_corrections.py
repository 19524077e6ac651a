"""Changes to concerns already counted (staff theme corrections, merges and unmerges,
release from quarantine) reach the rollups at the next rollup run, without a rebuild, and
a change made while that run is counting is never lost."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from engage.models import Concern, ConcernCount, StaleRollupDay
from engage.services.corrections import correct_themes
from engage.services.triage import mark_handled, merge_duplicate, unmerge
from jobs.framework import JobContext, Period, run_job
from jobs.rollups import period_bucket, read_stale_marks, rebuild_rollups, recount, rollup_period
from tests.factories import staff_user
from tests.jobs.conftest import add_concerns, concern

NOW = datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
CONTEXT = JobContext(now=NOW, triggered_by="test", settings={})
OCTOBER = date(2026, 10, 1)
SUBMITTED = datetime(2026, 10, 5, 12, tzinfo=UTC)  # week 41, a week inside October


def october_by_theme(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(ConcernCount.theme, func.sum(ConcernCount.concerns))
        .where(period_bucket("month", [OCTOBER])[1])
        .group_by(ConcernCount.theme)
    )
    figures = {theme: int(n) for theme, n in rows}
    session.rollback()
    return figures


def stale_days(session: Session) -> list[date]:
    days = sorted(session.scalars(select(StaleRollupDay.day)))
    session.rollback()
    return days


def october_concerns(session: Session, count: int) -> list[Concern]:
    concerns = add_concerns(
        session, [concern(submitted_at=SUBMITTED, theme="speeding") for _ in range(count)]
    )
    rebuild_rollups(session)
    assert october_by_theme(session) == {"speeding": count}
    return concerns


def test_a_theme_correction_reaches_the_rollups_at_the_next_daily_run(session: Session) -> None:
    user = staff_user(session)
    first, *_ = october_concerns(session, 3)

    correct_themes(session, first.id, "drugs", None, user.id, NOW)

    assert stale_days(session) == [date(2026, 10, 5)]
    run = run_job(session, "rollup-day", rollup_period, Period.parse("2026-11-22"), CONTEXT)
    assert run.detail["stale_days"] == ["2026-10-05"]
    assert october_by_theme(session) == {"speeding": 2, "drugs": 1}
    assert stale_days(session) == []


def test_a_correction_to_the_same_theme_marks_nothing(session: Session) -> None:
    user = staff_user(session)
    first, *_ = october_concerns(session, 1)
    correct_themes(session, first.id, "speeding", ["parking"], user.id, NOW)
    assert stale_days(session) == []


def test_a_rebuild_clears_the_marks_it_counted(session: Session) -> None:
    user = staff_user(session)
    first, *_ = october_concerns(session, 2)
    correct_themes(session, first.id, "drugs", None, user.id, NOW)
    rebuild_rollups(session)
    assert stale_days(session) == []
    assert october_by_theme(session) == {"speeding": 1, "drugs": 1}


def test_merging_and_unmerging_a_duplicate_reach_the_rollups(session: Session) -> None:
    user = staff_user(session)
    first, second = october_concerns(session, 2)

    merge_duplicate(session, second.id, duplicate_of_id=first.id, user_id=user.id, now=NOW)
    assert stale_days(session) == [date(2026, 10, 5)]
    rollup_period(session, Period.parse("2026-11-22"), CONTEXT)
    assert october_by_theme(session) == {"speeding": 1}

    unmerge(session, second.id, user_id=user.id, now=NOW)
    rollup_period(session, Period.parse("2026-11-22"), CONTEXT)
    assert october_by_theme(session) == {"speeding": 2}
    assert stale_days(session) == []


def test_a_quarantined_concern_released_as_handled_is_counted_next_run(
    session: Session,
) -> None:
    user = staff_user(session)
    held, *_ = add_concerns(
        session, [concern(submitted_at=SUBMITTED, theme="drugs", status="quarantined")]
    )
    october_concerns(session, 1)
    mark_handled(session, held.id, outcome_note=None, user_id=user.id, now=NOW)
    rollup_period(session, Period.parse("2026-11-22"), CONTEXT)
    assert october_by_theme(session) == {"speeding": 1, "drugs": 1}


def test_only_the_marks_read_before_counting_are_cleared(session: Session) -> None:
    user = staff_user(session)
    first, second = october_concerns(session, 2)
    correct_themes(session, first.id, "drugs", None, user.id, NOW)
    marks = read_stale_marks(session)

    # Committed after the run read the marks: its own mark must survive this run.
    correct_themes(session, second.id, "violence", None, user.id, NOW)
    recount(session, [], marks)

    assert stale_days(session) == [date(2026, 10, 5)]
    rollup_period(session, Period.parse("2026-11-22"), CONTEXT)
    assert october_by_theme(session) == {"drugs": 1, "violence": 1}
    assert stale_days(session) == []


# PostgreSQL only: on SQLite the recount holds the write lock, so no commit can interleave.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_correction_committed_while_its_day_is_recounted_is_counted_next_run(
    session: Session,
) -> None:
    """On PostgreSQL a correction can commit after the recount read ``concerns`` and before
    the recount commits. The recount cannot see it, so its mark must outlive the run."""
    engine = session.get_bind()
    user = staff_user(session)
    first, second = october_concerns(session, 2)
    correct_themes(session, first.id, "drugs", None, user.id, NOW)
    fired: list[bool] = []

    def correct_meanwhile(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if fired or not statement.lstrip().upper().startswith("INSERT INTO CONCERN_COUNTS"):
            return
        fired.append(True)
        with Session(engine) as other:
            correct_themes(other, second.id, "violence", None, user.id, NOW)

    event.listen(engine, "after_cursor_execute", correct_meanwhile)
    try:
        rollup_period(session, Period.parse("2026-11-22"), CONTEXT)
    finally:
        event.remove(engine, "after_cursor_execute", correct_meanwhile)

    assert fired
    assert october_by_theme(session) == {"drugs": 1, "speeding": 1}
    assert stale_days(session) == [date(2026, 10, 5)]
    rollup_period(session, Period.parse("2026-11-22"), CONTEXT)
    assert october_by_theme(session) == {"drugs": 1, "violence": 1}
    assert stale_days(session) == []
