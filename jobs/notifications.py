"""Delivering the notifications residents are owed: by e-mail when SMTP is configured,
otherwise as ``.eml`` files in the outbox folder (``<outbox>/notifications``).

Each notification goes through three short transactions, so no write lock is held while
a mail server is talked to:

1. claim: re-read it (still pending?), read the address from ``concern_contacts`` (none, or
   consent withdrawn: cancel it, send nothing) and count the attempt;
2. send (or write the file);
3. mark it sent, or record the error: after ``notification_max_attempts`` attempts it is
   ``failed`` and stays visible in the outbox table and the run's detail.

Nothing is lost: a message is marked sent only after the mail server accepted it or its
file was written. A crash between sending and marking leaves it pending, so it is sent
again on the next run (at least once, never silently dropped); the Message-ID is the same
on every attempt so mail systems can recognise the repeat, and a file is rewritten under
the same name. Two runs never work at once: the job's claim on its period is taken again
only once the previous run has finished (``repeat: true`` in ``config/schedules.yaml``).

The job ignores its period beyond keying the run record: it works through the queue.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import (
    Concern,
    ConcernContact,
    Notification,
    Panel,
    Priority,
    PriorityAction,
)
from engage.notification_outbox import notification_folder
from engage.reference_data import load_service_details
from engage.repository.notification_queue import queue_counts
from jobs.digest_mail import SmtpSettings, smtp_client, smtp_from
from jobs.framework import JobContext, JobResult, Period
from jobs.notification_messages import Outgoing, Sender, compose

DEFAULT_MAX_ATTEMPTS = 5
BATCH_SIZE = 500
ERASED = "Cancelled: the contact details were erased or consent was withdrawn"
# Errors about one message; any other OSError (every SMTPException is one) means the mail
# server or the outbox folder is unusable for now: stop, and try again next run.
_ONE_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


class SmtpTransport:
    """One connection for the run, opened at the first message and reopened after an error."""

    description = "e-mail"

    def __init__(self, smtp: SmtpSettings) -> None:
        self._smtp = smtp
        self._client: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self._client is None:
            self._client = smtp_client(self._smtp)
        try:
            self._client.send_message(message)
        except BaseException:
            self._close()
            raise

    def _close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()


class FolderTransport:
    """Writes each message to ``<folder>/notification-<id>.eml``, atomically."""

    description = "outbox folder"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").partition("@")[0]
        target = self.folder / f"{name}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(bytes(message))
        os.replace(partial, target)

    def __enter__(self) -> FolderTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def deliver_notifications(session: Session, period: Period, context: JobContext) -> JobResult:
    """The job: send every pending notification (up to a batch), once each."""
    settings = context.settings
    sender = _sender(settings)
    max_attempts = int(settings.get("notification_max_attempts") or DEFAULT_MAX_ATTEMPTS)
    smtp = smtp_from(settings)
    transport: SmtpTransport | FolderTransport = (
        SmtpTransport(smtp)
        if smtp is not None
        else FolderTransport(notification_folder(Path(settings["outbox_dir"])))
    )
    ids = list(
        session.scalars(
            select(Notification.id)
            .where(Notification.state == "pending")
            .order_by(Notification.id)
            .limit(BATCH_SIZE)
        )
    )
    session.rollback()
    done = {"sent": 0, "cancelled": 0, "retrying": 0, "failed": 0}
    stopped: str | None = None
    with transport:
        for notification_id in ids:
            outgoing = _claim(session, notification_id)
            if outgoing is None:
                done["cancelled"] += _was_cancelled(session, notification_id)
                continue
            try:
                transport.send(compose(outgoing, sender, context.now))
            except Exception as error:
                failed = _record_failure(session, notification_id, error, max_attempts)
                done["failed" if failed else "retrying"] += 1
                if isinstance(error, OSError) and not isinstance(error, _ONE_MESSAGE_ERRORS):
                    stopped = _describe(error)
                    break
            else:
                _mark_sent(session, notification_id, context.now)
                done["sent"] += 1
    detail: dict[str, Any] = {
        "by": transport.description,
        **done,
        "queue": _queue_counts(session),
    }
    if stopped:
        detail["stopped"] = stopped
    return JobResult(rows=done["sent"], detail=detail)


def _sender(settings: Mapping[str, Any]) -> Sender:
    public_url = settings.get("public_url")
    if not public_url:
        raise ValueError("Set ENGAGE_PUBLIC_URL: notification e-mails link to the public pages")
    secret = settings.get("secret_key")
    if not secret:
        raise ValueError("Notification e-mails need the service's secret key to sign their links")
    service = load_service_details(Path(settings["config_dir"]) / "service.yaml")
    smtp = smtp_from(settings)
    return Sender(
        address=smtp.sender if smtp else service.contact_email,
        reply_to=service.contact_email,
        organisation=service.organisation,
        public_url=str(public_url),
        link_secret=str(secret),
    )


def _claim(session: Session, notification_id: int) -> Outgoing | None:
    """Count an attempt at a pending notification and read what to send; None when it is
    no longer pending or has nobody to go to (then it is cancelled)."""
    with write_transaction(session):
        row = session.execute(
            select(
                Notification,
                Concern.reference,
                ConcernContact.email,
                ConcernContact.consent_to_contact,
            )
            .join(Concern, Concern.id == Notification.concern_id)
            .outerjoin(ConcernContact, ConcernContact.concern_id == Concern.id)
            .where(Notification.id == notification_id, Notification.state == "pending")
            .with_for_update(of=Notification)
        ).one_or_none()
        if row is None:
            return None
        notification, reference, email, consent = row
        address = (email or "").strip()
        if not consent or not address:
            notification.state = "cancelled"
            notification.last_error = ERASED
            return None
        notification.attempts += 1
        return _outgoing(session, notification, reference, address)


def _outgoing(session: Session, notification: Notification, reference: str, email: str) -> Outgoing:
    priority, panel = session.execute(
        select(Priority, Panel)
        .join(Panel, Panel.id == Priority.panel_id)
        .where(Priority.id == notification.priority_id)
    ).one()
    action = (
        session.get(PriorityAction, notification.action_id)
        if notification.action_id is not None
        else None
    )
    return Outgoing(
        notification_id=notification.id,
        concern_id=notification.concern_id,
        kind=notification.kind,
        reference=reference,
        email=email,
        panel_name=panel.name,
        panel_slug=panel.slug,
        wording=priority.wording,
        owner=priority.owner,
        set_on=priority.set_on,
        review_on=priority.review_on,
        action_description=action.description if action else None,
        action_taken_on=action.taken_on if action else None,
    )


def _was_cancelled(session: Session, notification_id: int) -> int:
    state = session.scalar(select(Notification.state).where(Notification.id == notification_id))
    session.rollback()
    return 1 if state == "cancelled" else 0


def _mark_sent(session: Session, notification_id: int, now: datetime) -> None:
    with write_transaction(session):
        session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.state == "pending")
            .values(state="sent", sent_at=now, last_error=None)
            .execution_options(synchronize_session=False)
        )


def _record_failure(
    session: Session, notification_id: int, error: Exception, max_attempts: int
) -> bool:
    """Keep the error (never the address); True when the notification has now failed."""
    with write_transaction(session):
        notification = session.get(Notification, notification_id, with_for_update=True)
        if notification is None or notification.state != "pending":
            return False
        notification.last_error = _describe(error)
        if notification.attempts >= max_attempts:
            notification.state = "failed"
        return notification.state == "failed"


def _describe(error: BaseException) -> str:
    """The kind of error and the mail server's code, without the message text (which can
    repeat the resident's address)."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(value[0]) for value in error.recipients.values()})
        return f"SMTPRecipientsRefused: the mail server refused the address ({', '.join(codes)})"
    if code is not None:
        return f"{type(error).__name__}: mail server replied {code}"
    if isinstance(error, OSError):
        return f"{type(error).__name__}: could not reach the mail server"
    return type(error).__name__


def _queue_counts(session: Session) -> dict[str, int]:
    counts = {state: count for state, count in queue_counts(session).items() if count}
    session.rollback()
    return counts
