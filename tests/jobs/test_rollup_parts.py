"""Parts tile the calendar: every week and every month is a whole number of them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jobs.framework import Period
from jobs.rollup_parts import Part, parts_between, parts_of

FIRST, LAST = date(2025, 12, 1), date(2027, 2, 28)


def _days(part: Part) -> list[date]:
    return [part.start + timedelta(days=n) for n in range((part.end - part.start).days)]


def test_each_day_lies_in_exactly_one_part_of_its_week_and_month() -> None:
    parts = parts_between(FIRST, LAST)
    covered = [day for part in parts for day in _days(part)]
    assert covered == [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    for part in parts:
        for day in _days(part):
            assert Part.containing(day) == part
            assert Period.containing("week", day).start == part.week_start
            assert Period.containing("month", day).start == part.month_start


def test_weeks_are_one_or_two_parts_and_months_four_to_six() -> None:
    week = Period.containing("week", FIRST)
    while week.start <= LAST:
        parts = parts_of(week)
        assert len(parts) in (1, 2)
        assert sum(len(_days(p)) for p in parts) == 7
        week = week.next()
    month = Period.containing("month", FIRST)
    while month.start <= LAST:
        parts = parts_of(month)
        assert 4 <= len(parts) <= 6
        assert sum(len(_days(p)) for p in parts) == (month.end - month.start).days
        month = month.next()


def test_a_week_that_a_month_begins_in_splits_at_london_midnight() -> None:
    # Monday 28 Sep 2026: the week holds 28-30 Sep and 1-4 Oct; both days are in BST.
    september, october = parts_of(Period.parse("2026-W40"))
    assert (september.start, september.end) == (date(2026, 9, 28), date(2026, 10, 1))
    assert october == Part(date(2026, 9, 28), date(2026, 10, 1))
    assert september.bounds_utc()[1] == datetime(2026, 9, 30, 23, tzinfo=UTC)
    assert october.key == "2026-W40/2026-10"


def test_a_week_and_a_month_with_no_day_in_common_are_no_part() -> None:
    with pytest.raises(ValueError, match="no days"):
        Part(date(2026, 11, 16), date(2026, 10, 1))
