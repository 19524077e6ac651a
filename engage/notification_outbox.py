"""The outbox copies of residents' notification e-mails.

With no mail server configured, each notification is written to
``<outbox>/notifications/notification-<id>.eml`` instead of being sent. Those files hold a
resident's e-mail address, so erasure at a resident's request and the retention job delete
them along with the contact details.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

OUTBOX_FOLDER = "notifications"


def notification_folder(outbox_dir: Path) -> Path:
    return outbox_dir / OUTBOX_FOLDER


def notification_file(outbox_dir: Path, notification_id: int) -> Path:
    return notification_folder(outbox_dir) / f"notification-{int(notification_id)}.eml"


def remove_notification_files(outbox_dir: Path, notification_ids: Iterable[int]) -> int:
    """Delete the outbox copies of these notifications (and any half-written one); the
    number of copies that existed and are now gone."""
    removed = 0
    for notification_id in notification_ids:
        target = notification_file(outbox_dir, notification_id)
        target.with_suffix(".eml.partial").unlink(missing_ok=True)
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        removed += 1
    return removed
