"""Periods: Europe/London days, ISO weeks and months, how people write them, UTC bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jobs.framework import Period, PeriodError


@pytest.mark.parametrize(
    ("text", "grain", "start"),
    [
        ("2026-11-21", "day", date(2026, 11, 21)),
        ("2026-W47", "week", date(2026, 11, 16)),
        ("2026-11", "month", date(2026, 11, 1)),
        ("week:2026-11-16", "week", date(2026, 11, 16)),
        ("day:2026-11-21", "day", date(2026, 11, 21)),
        ("month:2026-11-01", "month", date(2026, 11, 1)),
        ("2021-W01", "week", date(2021, 1, 4)),
        ("2020-W53", "week", date(2020, 12, 28)),
    ],
)
def test_reads_every_way_a_period_is_written(text: str, grain: str, start: date) -> None:
    period = Period.parse(text)
    assert (period.grain, period.start) == (grain, start)
    assert Period.parse(period.key) == period
    assert Period.parse(period.label) == period


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "2026-13", "2026-02-30", "2026-W54", "week:2026-11-18", "year:2026-01-01"],
)
def test_refuses_what_is_not_a_period(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_end_key_previous_and_containing() -> None:
    week = Period.containing("week", date(2026, 11, 22))
    assert week == Period("week", date(2026, 11, 16))
    assert week.end == date(2026, 11, 23)
    assert week.key == "week:2026-11-16"
    assert week.label == "2026-W47"
    assert week.previous() == Period("week", date(2026, 11, 9))
    assert week.previous(8) == Period("week", date(2026, 9, 21))
    assert Period("month", date(2026, 1, 1)).previous() == Period("month", date(2025, 12, 1))
    assert Period("month", date(2026, 1, 1)).previous(13) == Period("month", date(2024, 12, 1))
    assert Period("month", date(2026, 12, 1)).end == date(2027, 1, 1)
    assert Period("day", date(2026, 3, 1)).previous() == Period("day", date(2026, 2, 28))
    assert len(Period("month", date(2024, 2, 1)).days()) == 29


def test_a_start_must_begin_its_grain() -> None:
    with pytest.raises(PeriodError):
        Period("week", date(2026, 11, 18))
    with pytest.raises(PeriodError):
        Period("month", date(2026, 11, 2))


def test_bounds_are_london_midnights_in_utc_in_winter_and_summer() -> None:
    assert Period.parse("2026-01-15").bounds_utc() == (
        datetime(2026, 1, 15, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 16, 0, 0, tzinfo=UTC),
    )
    assert Period.parse("2026-07-15").bounds_utc() == (
        datetime(2026, 7, 14, 23, 0, tzinfo=UTC),
        datetime(2026, 7, 15, 23, 0, tzinfo=UTC),
    )


def test_clock_change_days_are_23_and_25_hours_long() -> None:
    spring_start, spring_end = Period.parse("2026-03-29").bounds_utc()
    assert spring_start == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert spring_end == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)
    autumn_start, autumn_end = Period.parse("2026-10-25").bounds_utc()
    assert autumn_start == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert autumn_end == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)
    week_start, week_end = Period.parse("2026-W13").bounds_utc()  # holds 29 March
    assert (week_end - week_start).total_seconds() == 7 * 24 * 3600 - 3600


def test_periods_sort_by_grain_then_start() -> None:
    periods = [Period.parse("2026-11-02"), Period.parse("2026-11-01")]
    assert sorted(periods)[0].start == date(2026, 11, 1)
