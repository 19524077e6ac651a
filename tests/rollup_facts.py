"""Rollup facts written straight into ``concern_counts`` for tests of the readers."""

from __future__ import annotations

from engage.models import ConcernCount
from jobs.framework import Period


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
    day: int = 0,
    neighbourhood: str = "",
) -> ConcernCount:
    """A week's or a month's counts, all placed on one of its days (the first unless
    ``day`` says; -1 for the last), as if every concern came that day."""
    return ConcernCount(
        day=period.days()[day],
        district=district,
        neighbourhood=neighbourhood,
        theme=theme,
        channel=channel,
        concerns=concerns,
        urgent=urgent,
        agree=agree,
        disagree=disagree,
        dont_know=dont_know,
    )
