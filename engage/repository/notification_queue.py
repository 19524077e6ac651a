"""Reading the queue of notifications owed to residents: how many are in each state, and
the ones that could not be sent, for staff to see and send again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engage.models import Concern, Notification, Panel, Priority, PriorityAction
from engage.models.panels import NOTIFICATION_STATES


@dataclass(frozen=True)
class FailedNotification:
    """A message that ran out of attempts. Holds no address: only the concern's reference."""

    id: int
    reference: str
    kind: str
    panel_name: str
    panel_slug: str
    priority_wording: str
    action_description: str | None
    attempts: int
    last_error: str | None
    created_at: datetime


def queue_counts(session: Session) -> dict[str, int]:
    """Notifications in each state, every state named (0 when there are none)."""
    found = dict(
        session.execute(select(Notification.state, func.count()).group_by(Notification.state)).all()
    )
    return {state: int(found.get(state, 0)) for state in NOTIFICATION_STATES}


def failed_notifications(session: Session, limit: int = 500) -> list[FailedNotification]:
    """The notifications that failed, the oldest first (they have waited longest)."""
    rows = session.execute(
        select(
            Notification.id,
            Concern.reference,
            Notification.kind,
            Panel.name,
            Panel.slug,
            Priority.wording,
            PriorityAction.description,
            Notification.attempts,
            Notification.last_error,
            Notification.created_at,
        )
        .join(Concern, Concern.id == Notification.concern_id)
        .join(Priority, Priority.id == Notification.priority_id)
        .join(Panel, Panel.id == Priority.panel_id)
        .outerjoin(PriorityAction, PriorityAction.id == Notification.action_id)
        .where(Notification.state == "failed")
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    ).all()
    return [
        FailedNotification(
            id=id_,
            reference=reference,
            kind=kind,
            panel_name=panel_name,
            panel_slug=panel_slug,
            priority_wording=wording,
            action_description=action,
            attempts=attempts,
            last_error=last_error,
            created_at=created_at,
        )
        for (
            id_,
            reference,
            kind,
            panel_name,
            panel_slug,
            wording,
            action,
            attempts,
            last_error,
            created_at,
        ) in rows
    ]
