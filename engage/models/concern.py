"""Concerns residents raise, and the contact details some of them leave.

Contact details live in their own table so they can be erased (retention, a person's
request) without touching the concern or the counts built from it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from engage.london_time import london_day
from engage.models.base import Base, UTCDateTime

CHANNELS = (
    "web",
    "api",
    "surgery",
    "street_briefing",
    "panel_meeting",
    "community_event",
    "other",
)
STATUSES = ("new", "triaged", "handled", "duplicate", "quarantined")
URGENCIES = ("routine", "urgent")

ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _submission_day(context: DefaultExecutionContext) -> date:
    """``submitted_day`` for a Core INSERT that gives ``submitted_at`` alone."""
    parameters: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return london_day(parameters["submitted_at"])


class Concern(Base):
    __tablename__ = "concerns"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint(one_of("urgency", URGENCIES), name="urgency"),
        Index("ix_concerns_district_submitted_at", "district", "submitted_at"),
        # Every column a rollup reads, in its GROUP BY order (migration 0006).
        Index(
            "ix_concerns_rollup_day",
            "submitted_day",
            "district",
            "neighbourhood",
            "theme",
            "channel",
            "status",
            "urgency",
            "dealing_with_concerns",
            "duplicate_of_id",
        ),
    )

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    text: Mapped[str] = mapped_column(Text)
    impact: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str] = mapped_column(String(40))
    place: Mapped[str | None] = mapped_column(String(200))
    neighbourhood: Mapped[str | None] = mapped_column(String(80))
    dealing_with_concerns: Mapped[str | None] = mapped_column(String(20))
    age_band: Mapped[str | None] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(30))
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20), default="new")
    urgency: Mapped[str] = mapped_column(String(10), default="routine")
    urgency_reasons: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The Europe/London calendar day of submitted_at, kept with it (``_keep_day``) so a
    # rollup can group by day straight from an index, with no per-row date arithmetic.
    submitted_day: Mapped[date] = mapped_column(Date, default=_submission_day)
    idempotency_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))

    theme: Mapped[str | None] = mapped_column(String(40), index=True)
    theme_confidence: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(80))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_translation: Mapped[bool] = mapped_column(Boolean, default=False)
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    text_redacted: Mapped[str | None] = mapped_column(Text)

    outreach_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("outreach_sessions.id"), index=True
    )
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    logged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A merged duplicate is kept but counted once: rollups skip rows with this set.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("concerns.id"), index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome_note: Mapped[str | None] = mapped_column(Text)

    contact: Mapped[ConcernContact | None] = relationship(
        back_populates="concern", cascade="all, delete-orphan", uselist=False
    )
    themes: Mapped[list[ConcernTheme]] = relationship(
        back_populates="concern", cascade="all, delete-orphan", order_by="ConcernTheme.rank"
    )

    @validates("submitted_at")
    def _keep_day(self, key: str, moment: datetime) -> datetime:
        self.submitted_day = london_day(moment)
        return moment


class ConcernContact(Base):
    __tablename__ = "concern_contacts"

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("concerns.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    consent_to_contact: Mapped[bool] = mapped_column(Boolean)
    consent_wording_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())

    concern: Mapped[Concern] = relationship(back_populates="contact")


class ConcernTheme(Base):
    """One theme a concern was tagged with: rank 0 is the primary theme."""

    __tablename__ = "concern_themes"

    concern_id: Mapped[int] = mapped_column(
        ForeignKey("concerns.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(40), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="model")

    concern: Mapped[Concern] = relationship(back_populates="themes")
