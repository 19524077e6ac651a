"""Marking a day's rollup stale when a concern's counted fields change after the fact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engage.london_time import london_day
from engage.models import StaleRollupDay


def mark_stale(session: Session, submitted_at: datetime, now: datetime) -> None:
    """Mark the London day of a concern whose counted fields changed, or which was stored
    for a day already past, in the caller's transaction: the next rollup run recounts it."""
    session.add(StaleRollupDay(day=london_day(submitted_at), marked_at=now))


def mark_stale_if_past(session: Session, submitted_at: datetime, now: datetime) -> None:
    """Mark a newly stored concern's day if that day has ended (a paper form imported for
    the day it was filled in): the nightly run for that day may already be done."""
    if london_day(submitted_at) < london_day(now):
        mark_stale(session, submitted_at, now)
