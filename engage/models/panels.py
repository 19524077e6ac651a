"""Neighbourhood panels, the People's Priorities they set, what was done about them, the
quotes staff approved for publication, and the notifications owed to residents.

A panel covers one district, or one neighbourhood of it (``neighbourhood`` null means the
whole district). Everything in ``priorities``, ``priority_actions`` and
``published_quotes`` is written to be shown to the public as it stands; the internal
``notes`` of a meeting are not.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.models.base import Base, UTCDateTime
from engage.models.concern import ID_TYPE, one_of

PRIORITY_STATUSES = ("active", "achieved", "carried_over", "closed")
NOTIFICATION_KINDS = ("priority_set", "action_recorded")
NOTIFICATION_STATES = ("pending", "sent", "failed", "cancelled")


class Panel(Base):
    """A neighbourhood panel. ``slug`` is the public, linkable id (``/priorities/<slug>``,
    ``/api/v1/neighbourhoods/<slug>/priorities``)."""

    __tablename__ = "panels"
    __table_args__ = (UniqueConstraint("district", "neighbourhood", name="uq_panels_area"),)

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(40), index=True)
    neighbourhood: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    meetings: Mapped[list[PanelMeeting]] = relationship(
        back_populates="panel", order_by="PanelMeeting.held_on"
    )


class PanelMeeting(Base):
    """A meeting that looked at the evidence for ``period_start``..``period_end`` (inclusive)
    and adopted priorities."""

    __tablename__ = "panel_meetings"
    __table_args__ = (
        CheckConstraint("attendees >= 0", name="attendees"),
        CheckConstraint("period_start <= period_end", name="period"),
    )

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    panel: Mapped[Panel] = relationship(back_populates="meetings")
    priorities: Mapped[list[Priority]] = relationship(
        back_populates="meeting", order_by="Priority.position"
    )


class Priority(Base):
    """One People's Priority as published: its wording, the themes it covers, who owns it,
    when it is reviewed, and how it ended."""

    __tablename__ = "priorities"
    __table_args__ = (
        CheckConstraint(one_of("status", PRIORITY_STATUSES), name="status"),
        UniqueConstraint("meeting_id", "position", name="uq_priorities_meeting_position"),
    )

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("panel_meetings.id"), index=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    wording: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    set_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_on: Mapped[date | None] = mapped_column(Date)

    meeting: Mapped[PanelMeeting] = relationship(back_populates="priorities")
    themes: Mapped[list[PriorityTheme]] = relationship(
        cascade="all, delete-orphan", order_by="PriorityTheme.theme"
    )
    actions: Mapped[list[PriorityAction]] = relationship(
        back_populates="priority", order_by="PriorityAction.taken_on"
    )


class PriorityTheme(Base):
    __tablename__ = "priority_themes"

    priority_id: Mapped[int] = mapped_column(
        ForeignKey("priorities.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class PriorityAction(Base):
    """Something done about a priority ("we did"), in words fit to publish."""

    __tablename__ = "priority_actions"

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id"), index=True)
    taken_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    priority: Mapped[Priority] = relationship(back_populates="actions")


class PublishedQuote(Base):
    """A concern's words as a member of staff approved them for publication: a redacted
    copy, fixed at approval, so later edits or erasure of the concern are deliberate."""

    __tablename__ = "published_quotes"

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("concerns.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notification(Base):
    """An outbox row: a resident who consented to contact is owed a message.

    Holds no address: the address is read from ``concern_contacts`` when sending, so
    erasing a person's contact details leaves nothing behind here to send to.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(one_of("kind", NOTIFICATION_KINDS), name="kind"),
        CheckConstraint(one_of("state", NOTIFICATION_STATES), name="state"),
        UniqueConstraint(
            "concern_id", "kind", "priority_id", "action_key", name="uq_notifications_once"
        ),
    )

    id: Mapped[int] = mapped_column(ID_TYPE, primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("concerns.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("priority_actions.id"))
    # action_id, or 0 for a priority_set notice: part of the unique key (NULLs never clash).
    action_key: Mapped[int] = mapped_column(ID_TYPE, default=0)
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
