"""Europe/London calendar days: the days residents, staff and every count live by."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_day(moment: datetime) -> date:
    """The Europe/London calendar date at an aware instant."""
    return moment.astimezone(LONDON).date()


def london_midnight_utc(day: date) -> datetime:
    """The UTC instant at which a Europe/London calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)
