"""Staff corrections to themes (what retraining learns from) and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engage.models.base import Base, UTCDateTime
from engage.models.concern import ID_TYPE


class ThemeLabel(Base):
    """A person's verdict on a concern's themes, with the model's guess it replaced."""

    __tablename__ = "theme_labels"

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("concerns.id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[str] = mapped_column(String(40))
    secondary_themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    previous_theme: Mapped[str | None] = mapped_column(String(40))
    previous_confidence: Mapped[float | None] = mapped_column(Float)
    previous_model_version: Mapped[str | None] = mapped_column(String(80))
    labelled_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    labelled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AuditEvent(Base):
    """Who did what, when. Append-only: database triggers refuse updates and deletes."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
