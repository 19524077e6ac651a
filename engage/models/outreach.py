"""What the Engagement Outreach Worker logs: sessions held, and files of paper forms imported."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engage.models.base import Base, UTCDateTime
from engage.models.concern import ID_TYPE, one_of

SESSION_KINDS = ("surgery", "street_briefing", "panel_meeting", "community_event", "other")


class OutreachSession(Base):
    __tablename__ = "outreach_sessions"
    __table_args__ = (CheckConstraint(one_of("kind", SESSION_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    district: Mapped[str] = mapped_column(String(40))
    venue: Mapped[str] = mapped_column(String(200))
    people_spoken_to: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ImportBatch(Base):
    """One imported file; its digest makes importing the same file twice a no-op."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    rows_imported: Mapped[int] = mapped_column(Integer)
    outreach_session_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_sessions.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
