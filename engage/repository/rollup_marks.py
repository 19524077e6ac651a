"""Marking a day's rollup stale when a concern's counted fields change after the fact."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, insert
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


def mark_days_stale_on(connection: Connection, days: Iterable[date], now: datetime) -> None:
    """``mark_stale`` for each day, once, for a caller writing through a connection (plain
    statements)."""
    rows = [{"day": day, "marked_at": now} for day in sorted(set(days))]
    if rows:
        connection.execute(insert(StaleRollupDay), rows)


def mark_past_days_stale_on(connection: Connection, days: Iterable[date], now: datetime) -> None:
    """``mark_past_days_stale`` through a connection: a concern classified after its day
    ended changes what that day's rollup counted."""
    today = london_day(now)
    mark_days_stale_on(connection, [day for day in days if day < today], now)
