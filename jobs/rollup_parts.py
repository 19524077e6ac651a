"""Parts: the Europe/London days that one ISO week and one calendar month have in common.

Weeks and months do not nest, but both are whole numbers of parts: a week is one part, or
two when a month begins inside it; a month is four to six parts. Counts kept per part
therefore add up exactly to any week or any month, and to nothing finer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from jobs.framework import Period, london_midnight_utc


@dataclass(frozen=True, order=True)
class Part:
    """The days of the week starting ``week_start`` that fall in the month ``month_start``."""

    week_start: date
    month_start: date

    def __post_init__(self) -> None:
        # Period checks that each start begins its grain.
        week, month = Period("week", self.week_start), Period("month", self.month_start)
        if self.week_start >= month.end or week.end <= self.month_start:
            raise ValueError(f"The week of {self.week_start} has no days in {month.label}")

    @classmethod
    def containing(cls, day: date) -> Part:
        return cls(Period.containing("week", day).start, Period.containing("month", day).start)

    @property
    def start(self) -> date:
        return max(self.week_start, self.month_start)

    @property
    def end(self) -> date:
        """The first day after the part (exclusive)."""
        return min(Period("week", self.week_start).end, Period("month", self.month_start).end)

    @property
    def key(self) -> str:
        return f"{Period('week', self.week_start).label}/{Period('month', self.month_start).label}"

    def bounds_utc(self) -> tuple[datetime, datetime]:
        """UTC instants for ``submitted_at >= start AND submitted_at < end``."""
        return london_midnight_utc(self.start), london_midnight_utc(self.end)

    def next(self) -> Part:
        return Part.containing(self.end)


def parts_between(first: date, last: date) -> list[Part]:
    """Every part holding a day from ``first`` to ``last`` (both included), in order."""
    parts: list[Part] = []
    if last < first:
        return parts
    part = Part.containing(first)
    while part.start <= last:
        parts.append(part)
        part = part.next()
    return parts


def parts_of(period: Period) -> list[Part]:
    """The parts a day, week or month is made of (a day lies inside one part)."""
    return parts_between(period.start, period.end - timedelta(days=1))
