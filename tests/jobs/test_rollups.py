"""Rollups match counts worked out independently here, in Python, from the rows inserted."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Concern, ConcernCount
from jobs.framework import JobContext, Period, run_job
from jobs.rollups import rebuild_rollups, rollup_period
from tests.jobs.conftest import add_concerns, concern

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
Key = tuple[str, date, str, str, str, str]


def _random_concerns(seed: int, count: int) -> list[Concern]:
    """Concerns over 20 Oct - 3 Nov 2026 (clocks go back on 25 Oct), some near midnight."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 20, tzinfo=UTC)
    rows = []
    for _ in range(count):
        moment = start + timedelta(minutes=rng.randrange(15 * 24 * 60))
        if rng.random() < 0.3:  # crowd the hour either side of midnight
            moment = moment.replace(hour=rng.choice([22, 23, 0]))
        rows.append(
            concern(
                submitted_at=moment,
                district=rng.choice(["fenland", "peterborough"]),
                neighbourhood=rng.choice(["Wisbech", "March", None]),
                theme=rng.choice(["speeding", "drugs", None]),
                channel=rng.choice(["web", "surgery"]),
                urgency=rng.choice(["routine", "routine", "urgent"]),
                dealing_with_concerns=rng.choice(["agree", "disagree", "dont_know", None]),
                status=rng.choice(["new", "new", "quarantined"]),
            )
        )
    return rows


def _expected(concerns: list[Concern], duplicates: set[int]) -> dict[Key, Counter[str]]:
    counts: dict[Key, Counter[str]] = {}
    for item in concerns:
        if item.id in duplicates or item.status == "quarantined":
            continue
        local_day = item.submitted_at.astimezone(LONDON).date()
        for grain in ("day", "week", "month"):
            start = Period.containing(grain, local_day).start  # type: ignore[arg-type]
            key = (
                grain,
                start,
                item.district,
                item.neighbourhood or "",
                item.theme or "",
                item.channel,
            )
            tally = counts.setdefault(key, Counter())
            tally["concerns"] += 1
            tally["urgent"] += item.urgency == "urgent"
            if item.dealing_with_concerns:
                tally[item.dealing_with_concerns] += 1
    return counts


def _stored(session: Session) -> dict[Key, Counter[str]]:
    stored: dict[Key, Counter[str]] = {}
    for row in session.scalars(select(ConcernCount)):
        key = (
            row.grain,
            row.period_start,
            row.district,
            row.neighbourhood,
            row.theme,
            row.channel,
        )
        tally = Counter(
            concerns=row.concerns,
            urgent=row.urgent,
            agree=row.agree,
            disagree=row.disagree,
            dont_know=row.dont_know,
        )
        stored[key] = +tally  # drop zero entries, as the expected counters have none
    session.rollback()
    return stored


def _with_duplicates(session: Session, concerns: list[Concern]) -> set[int]:
    """Mark every tenth concern a duplicate of the one before it."""
    duplicates = set()
    with write_transaction(session):
        for before, item in zip(concerns[::10], concerns[1::10], strict=False):
            item.duplicate_of_id = before.id
            duplicates.add(item.id)
    return duplicates


def test_full_rebuild_matches_counts_worked_out_independently(session: Session) -> None:
    concerns = add_concerns(session, _random_concerns(seed=1, count=400))
    duplicates = _with_duplicates(session, concerns)
    rebuild_rollups(session)
    assert _stored(session) == _expected(concerns, duplicates)


def test_daily_runs_match_the_full_rebuild(session: Session) -> None:
    concerns = add_concerns(session, _random_concerns(seed=2, count=300))
    context = JobContext(now=NOW, triggered_by="test", settings={})
    day = date(2026, 10, 19)
    while day <= date(2026, 11, 4):
        run_job(session, "rollup-day", rollup_period, Period("day", day), context)
        day += timedelta(days=1)
    assert _stored(session) == _expected(concerns, set())


def test_rerunning_a_period_changes_nothing(session: Session) -> None:
    add_concerns(session, _random_concerns(seed=3, count=200))
    context = JobContext(now=NOW, triggered_by="test", settings={})
    rebuild_rollups(session)
    before = _stored(session)
    for text in ("2026-10-25", "2026-W43", "2026-10"):
        rollup_period(session, Period.parse(text), context)
    rebuild_rollups(session)
    assert _stored(session) == before


def test_the_hour_after_midnight_falls_on_the_london_day_across_the_clock_change(
    session: Session,
) -> None:
    add_concerns(
        session,
        [
            # 23:30 UTC on 24 Oct is 00:30 BST on 25 Oct (clocks go back at 02:00 BST).
            concern(submitted_at=datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),
            # 23:30 UTC on 25 Oct is 23:30 GMT on 25 Oct.
            concern(submitted_at=datetime(2026, 10, 25, 23, 30, tzinfo=UTC)),
            # 00:30 UTC on 29 Mar is 00:30 GMT; 23:30 UTC that day is 00:30 BST on 30 Mar.
            concern(submitted_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
            concern(submitted_at=datetime(2026, 3, 29, 23, 30, tzinfo=UTC)),
        ],
    )
    rebuild_rollups(session)
    days = {
        row.period_start: row.concerns
        for row in session.scalars(select(ConcernCount).where(ConcernCount.grain == "day"))
    }
    assert days == {date(2026, 10, 25): 2, date(2026, 3, 29): 1, date(2026, 3, 30): 1}


def test_unclassified_and_unplaced_concerns_count_under_empty_strings(session: Session) -> None:
    add_concerns(session, [concern(theme=None, neighbourhood=None)])
    rebuild_rollups(session)
    row = session.scalars(select(ConcernCount).where(ConcernCount.grain == "month")).one()
    assert (row.theme, row.neighbourhood, row.concerns) == ("", "", 1)


def test_the_daily_run_also_refreshes_its_week_and_month(session: Session) -> None:
    add_concerns(session, [concern(submitted_at=datetime(2026, 11, 18, 12, tzinfo=UTC))])
    context = JobContext(now=NOW, triggered_by="test", settings={})
    result = rollup_period(session, Period.parse("2026-11-18"), context)
    assert result.detail["rows_by_period"] == {
        "day:2026-11-18": 1,
        "week:2026-11-16": 1,
        "month:2026-11-01": 1,
    }
    # A concern logged late for another day of the same week is picked up by the week.
    add_concerns(session, [concern(submitted_at=datetime(2026, 11, 16, 9, tzinfo=UTC))])
    rollup_period(session, Period.parse("2026-11-18"), context)
    weeks = session.scalars(select(ConcernCount).where(ConcernCount.grain == "week")).all()
    assert [w.concerns for w in weeks] == [2]


def test_rebuild_from_a_date_leaves_earlier_months_alone(session: Session) -> None:
    add_concerns(
        session,
        [
            concern(submitted_at=datetime(2026, 9, 10, 12, tzinfo=UTC)),
            concern(submitted_at=datetime(2026, 11, 10, 12, tzinfo=UTC)),
        ],
    )
    rebuild_rollups(session)
    with write_transaction(session):
        # Pretend September's counts were written by an older rule: a partial rebuild
        # from November must not touch them.
        september = session.scalars(
            select(ConcernCount).where(ConcernCount.period_start == date(2026, 9, 1))
        ).one()
        september.concerns = 99
    add_concerns(session, [concern(submitted_at=datetime(2026, 11, 11, 12, tzinfo=UTC))])
    rebuild_rollups(session, since=date(2026, 11, 20))
    months = {
        row.period_start: row.concerns
        for row in session.scalars(select(ConcernCount).where(ConcernCount.grain == "month"))
    }
    assert months == {date(2026, 9, 1): 99, date(2026, 11, 1): 2}
