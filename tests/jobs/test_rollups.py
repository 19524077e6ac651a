"""Rollups match counts worked out independently here, in Python, from the rows inserted."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Concern, ConcernCount
from jobs.framework import JobContext, Period, run_job
from jobs.rollups import MEASURES, period_column, rebuild_rollups, rollup_period
from tests.jobs.conftest import add_concerns, concern

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 1, 15, tzinfo=UTC)
CONTEXT = JobContext(now=NOW, triggered_by="test", settings={})
Key = tuple[str, date, str, str, str]  # grain, period start, district, theme, channel
PartKey = tuple[date, date, str, str, str]  # week start, month start, district, theme, channel


def _random_concerns(seed: int, count: int) -> list[Concern]:
    """Concerns over 20 Oct - 3 Nov 2026 (clocks go back on 25 Oct, a month ends on
    Saturday 31 Oct, so week 44 has days in two months), some near midnight."""
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


def _tally(item: Concern) -> Counter[str]:
    tally: Counter[str] = Counter(concerns=1, urgent=int(item.urgency == "urgent"))
    if item.dealing_with_concerns:
        tally[item.dealing_with_concerns] += 1
    return +tally


def _counted(concerns: list[Concern], duplicates: set[int] | None) -> list[Concern]:
    skipped = duplicates or set()
    return [c for c in concerns if c.id not in skipped and c.status != "quarantined"]


def _expected(
    concerns: list[Concern], duplicates: set[int] | None = None
) -> dict[Key, Counter[str]]:
    """Each week's and month's figures, from each concern's Europe/London calendar day."""
    counts: dict[Key, Counter[str]] = {}
    for item in _counted(concerns, duplicates):
        local_day = item.submitted_at.astimezone(LONDON).date()
        for grain in ("week", "month"):
            start = Period.containing(grain, local_day).start
            key = (grain, start, item.district, item.theme or "", item.channel)
            counts.setdefault(key, Counter()).update(_tally(item))
    return counts


def _stored(session: Session) -> dict[Key, Counter[str]]:
    """What the readers see: a week's or a month's rows summed."""
    stored: dict[Key, Counter[str]] = {}
    for grain in ("week", "month"):
        column = period_column(grain)
        keys = (column, ConcernCount.district, ConcernCount.theme, ConcernCount.channel)
        sums = [func.sum(getattr(ConcernCount, name)) for name in MEASURES]
        for row in session.execute(select(*keys, *sums).group_by(*keys)):
            tally = Counter(dict(zip(MEASURES, (int(n) for n in row[4:]), strict=True)))
            stored[(grain, *row[:4])] = +tally  # drop zero entries, as the expected have none
    session.rollback()
    return stored


def _stored_parts(session: Session) -> dict[PartKey, int]:
    rows = session.execute(
        select(
            ConcernCount.week_start,
            ConcernCount.month_start,
            ConcernCount.district,
            ConcernCount.theme,
            ConcernCount.channel,
            ConcernCount.concerns,
        )
    )
    parts: dict[PartKey, int] = {
        (week, month, district, theme, channel): n
        for week, month, district, theme, channel, n in rows
    }
    session.rollback()
    return parts


def _expected_parts(concerns: list[Concern], duplicates: set[int]) -> dict[PartKey, int]:
    parts: Counter[PartKey] = Counter()
    for item in _counted(concerns, duplicates):
        local_day = item.submitted_at.astimezone(LONDON).date()
        week = Period.containing("week", local_day).start
        month = Period.containing("month", local_day).start
        parts[(week, month, item.district, item.theme or "", item.channel)] += 1
    return dict(parts)


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
    assert _stored_parts(session) == _expected_parts(concerns, duplicates)


def test_daily_runs_match_the_full_rebuild(session: Session) -> None:
    concerns = add_concerns(session, _random_concerns(seed=2, count=300))
    day = date(2026, 10, 19)
    while day <= date(2026, 11, 4):
        run_job(session, "rollup-day", rollup_period, Period("day", day), CONTEXT)
        day += timedelta(days=1)
    assert _stored(session) == _expected(concerns)


def test_rerunning_a_period_changes_nothing(session: Session) -> None:
    add_concerns(session, _random_concerns(seed=3, count=200))
    rebuild_rollups(session)
    before = _stored_parts(session)
    for text in ("2026-10-25", "2026-W44", "2026-10", "2026-11-01"):
        rollup_period(session, Period.parse(text), CONTEXT)
        assert _stored_parts(session) == before
    rebuild_rollups(session)
    assert _stored_parts(session) == before


def test_weeks_and_months_follow_london_days_across_the_clock_changes(session: Session) -> None:
    add_concerns(
        session,
        [
            # 23:30 UTC on Sunday 18 Oct is 00:30 BST on Monday 19 Oct: week 43, not 42.
            concern(submitted_at=datetime(2026, 10, 18, 23, 30, tzinfo=UTC)),
            # 23:30 UTC on Sunday 25 Oct, after the clocks went back, is 23:30 GMT: week 43.
            concern(submitted_at=datetime(2026, 10, 25, 23, 30, tzinfo=UTC)),
            # 23:30 UTC on 30 Sep is 00:30 BST on 1 Oct: October.
            concern(submitted_at=datetime(2026, 9, 30, 23, 30, tzinfo=UTC)),
            # 23:30 UTC on 31 Oct is 23:30 GMT: still October.
            concern(submitted_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC)),
            # 00:30 UTC on 29 Mar is 00:30 GMT (clocks go forward at 01:00): March.
            concern(submitted_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
            # 23:30 UTC on 31 Mar is 00:30 BST on 1 Apr: April.
            concern(submitted_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC)),
        ],
    )
    rebuild_rollups(session)
    figures = {key[:2]: tally["concerns"] for key, tally in _stored(session).items()}
    assert figures == {
        ("week", date(2026, 10, 19)): 2,
        ("week", date(2026, 9, 28)): 1,
        ("week", date(2026, 10, 26)): 1,
        ("week", date(2026, 3, 23)): 1,
        ("week", date(2026, 3, 30)): 1,
        ("month", date(2026, 10, 1)): 4,
        ("month", date(2026, 3, 1)): 1,
        ("month", date(2026, 4, 1)): 1,
    }


def test_unclassified_concerns_count_under_an_empty_theme(session: Session) -> None:
    add_concerns(session, [concern(theme=None, neighbourhood=None)])
    rebuild_rollups(session)
    row = session.scalars(select(ConcernCount)).one()
    assert (row.theme, row.concerns) == ("", 1)


def test_the_daily_run_also_refreshes_its_week_and_month(session: Session) -> None:
    add_concerns(session, [concern(submitted_at=datetime(2026, 11, 18, 12, tzinfo=UTC))])
    result = rollup_period(session, Period.parse("2026-11-18"), CONTEXT)
    assert result.rows == 1
    assert result.detail["rows_by_part"]["2026-W47/2026-11"] == 1
    # Concerns logged late for earlier days: one in the same week, one in an earlier week
    # of the same month (a part the day does not share), one in the month before.
    add_concerns(
        session,
        [
            concern(submitted_at=datetime(2026, 11, 16, 9, tzinfo=UTC)),
            concern(submitted_at=datetime(2026, 11, 2, 9, tzinfo=UTC)),
            concern(submitted_at=datetime(2026, 10, 20, 9, tzinfo=UTC)),
        ],
    )
    rollup_period(session, Period.parse("2026-11-18"), CONTEXT)
    figures = {key[:2]: tally["concerns"] for key, tally in _stored(session).items()}
    assert figures == {
        ("week", date(2026, 11, 16)): 2,
        ("week", date(2026, 11, 2)): 1,
        ("month", date(2026, 11, 1)): 3,
    }


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
            select(ConcernCount).where(ConcernCount.month_start == date(2026, 9, 1))
        ).one()
        september.concerns = 99
    add_concerns(session, [concern(submitted_at=datetime(2026, 11, 11, 12, tzinfo=UTC))])
    rebuild_rollups(session, since=date(2026, 11, 20))
    months = {
        key[1]: tally["concerns"] for key, tally in _stored(session).items() if key[0] == "month"
    }
    assert months == {date(2026, 9, 1): 99, date(2026, 11, 1): 2}
