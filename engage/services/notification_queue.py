"""Staff acting on the notification queue: sending again a message that failed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Notification
from engage.services.audit import record


def send_again(session: Session, notification_id: int, *, user_id: int, now: datetime) -> bool:
    """Put a failed notification back in the queue with its attempts counted afresh, so the
    next delivery run tries it again; the audit log records who did it and the error it had.
    False, changing nothing, when it is not (or no longer) failed.

    The delivery job reads the address again when it sends: a resident whose contact details
    were erased or who withdrew consent meanwhile is still sent nothing.
    """
    with write_transaction(session):
        notification = session.get(Notification, notification_id, with_for_update=True)
        if notification is None or notification.state != "failed":
            return False
        record(
            session,
            user_id=user_id,
            action="update",
            object_type="notification",
            object_id=notification.id,
            detail={
                "change": "sent_again",
                "attempts_before": notification.attempts,
                "last_error": notification.last_error,
            },
            now=now,
        )
        notification.state = "pending"
        notification.attempts = 0
    return True
