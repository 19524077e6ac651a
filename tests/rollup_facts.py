"""Rollup facts written straight into ``concern_counts`` for tests of the readers."""

from __future__ import annotations

from engage.models import ConcernCount
from jobs.framework import Period
from jobs.rollup_parts import parts_of


def fact(
    period: Period,
    district: str,
    theme: str,
    channel: str,
    concerns: int,
    *,
    urgent: int = 0,
    agree: int = 0,
    disagree: int = 0,
    dont_know: int = 0,
    part: int = 0,
) -> ConcernCount:
    """A week's or a month's counts, all placed in one of its parts (the first unless
    ``part`` says; -1 for the last), as if every concern came on one of that part's days."""
    chosen = parts_of(period)[part]
    return ConcernCount(
        week_start=chosen.week_start,
        month_start=chosen.month_start,
        district=district,
        theme=theme,
        channel=channel,
        concerns=concerns,
        urgent=urgent,
        agree=agree,
        disagree=disagree,
        dont_know=dont_know,
    )
