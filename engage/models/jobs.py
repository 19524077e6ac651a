"""Scheduled jobs' bookkeeping and what they produce: claims, rollup facts, emerging issues,
new topics, digests and model versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engage.models.base import Base, UTCDateTime
from engage.models.concern import ID_TYPE, one_of

JOB_OUTCOMES = ("running", "succeeded", "failed")


class JobRun(Base):
    """One job's claim on one period. The unique key makes a second run of a period a no-op."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job_name", "period_key", name="uq_job_runs_job_period"),
        CheckConstraint(one_of("outcome", JOB_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    job_name: Mapped[str] = mapped_column(String(60))
    period_key: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(20))
    rows: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    triggered_by: Mapped[str] = mapped_column(String(40))


class ConcernCount(Base):
    """Rollup fact: concerns per Europe/London day x district x neighbourhood x theme x
    channel. A week's or a month's figures are the sum of its days' rows
    (``jobs.rollups.period_bucket``), so no stored week can disagree with its days.

    Empty strings stand for "no neighbourhood given" and "not yet classified".

    The key is the mapper's, not a database constraint: keeping a five-column unique
    B-tree up to date cost PostgreSQL more than all the counting (about 2 s of 3 s for a
    million concerns). Each day's rows are only ever written by ``jobs.rollups``, which
    deletes and inserts them in one transaction, serialised with every other rollup write
    (an advisory lock on PostgreSQL, the single writer on SQLite), so no key is written
    twice. On PostgreSQL a full rebuild builds a new table beside this one and swaps it in
    (``jobs.rollup_swap``).
    """

    __tablename__ = "concern_counts"
    __table_args__ = (Index("ix_concern_counts_day", "day"),)

    day: Mapped[date] = mapped_column(Date)
    district: Mapped[str] = mapped_column(String(40))
    neighbourhood: Mapped[str] = mapped_column(String(80))
    theme: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(30))
    concerns: Mapped[int] = mapped_column(Integer)
    urgent: Mapped[int] = mapped_column(Integer)
    agree: Mapped[int] = mapped_column(Integer)
    disagree: Mapped[int] = mapped_column(Integer)
    dont_know: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"primary_key": [day, district, neighbourhood, theme, channel]}  # noqa: RUF012


class StaleRollupDay(Base):
    """A Europe/London day whose counted concerns changed after it was rolled up (a theme
    corrected or classified late, a merge, a release from quarantine, a concern logged for
    an earlier day): the next rollup run recounts that day, then deletes the
    mark. One row per change, never updated, so two changes never contend for one row."""

    __tablename__ = "stale_rollup_days"

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EmergingIssue(Base):
    __tablename__ = "emerging_issues"
    __table_args__ = (
        UniqueConstraint("grain", "period_start", "district", "theme", name="uq_emerging_issue"),
    )

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    grain: Mapped[str] = mapped_column(String(5))
    period_start: Mapped[date] = mapped_column(Date, index=True)
    district: Mapped[str] = mapped_column(String(40))
    theme: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)
    baseline_mean: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(80))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NewTopic(Base):
    """A cluster of concerns that fit no theme well, shown by its top terms."""

    __tablename__ = "new_topics"

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    grain: Mapped[str] = mapped_column(String(5))
    period_start: Mapped[date] = mapped_column(Date, index=True)
    district: Mapped[str | None] = mapped_column(String(40))
    top_terms: Mapped[list[str]] = mapped_column(JSON)
    size: Mapped[int] = mapped_column(Integer)
    example_concern_ids: Mapped[list[int]] = mapped_column(JSON)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Digest(Base):
    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("kind", "period_start", name="uq_digest_period"),)

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outbox_path: Mapped[str] = mapped_column(String(500))
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ModelVersion(Base):
    """Every model trained by the retraining job, promoted or not, with both scores."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    version: Mapped[str] = mapped_column(String(80), unique=True)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime())
    corrections_used: Mapped[int] = mapped_column(Integer)
    macro_f1: Mapped[float] = mapped_column(Float)
    previous_version: Mapped[str | None] = mapped_column(String(80))
    previous_macro_f1: Mapped[float | None] = mapped_column(Float)
    promoted: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
