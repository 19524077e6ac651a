"""Marking a day's rollup stale when a concern's counted fields change after the fact."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from engage.london_time import london_day
from engage.models import StaleRollupDay


def mark_stale(session: Session, day: date, now: datetime) -> None:
    """Mark the London day of a concern whose counted fields changed (its
    ``submitted_day``), in the caller's transaction: the next rollup run recounts it."""
    session.add(StaleRollupDay(day=day, marked_at=now))


def mark_past_days_stale(session: Session, days: Iterable[date], now: datetime) -> None:
    """Mark each day, once, that has already ended, for concerns newly stored on it (paper
    forms imported for the day they were filled in): its nightly run may be done."""
    today = london_day(now)
    for day in sorted(set(days)):
        if day < today:
            mark_stale(session, day, now)
