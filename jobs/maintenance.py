"""Housekeeping jobs: classify concerns stored without a theme, and apply data retention.

Retention, exactly: when the job runs for day D, everything submitted before the start of
(D + 1 day - ``retention_months`` months), Europe/London, is due. For those concerns the
contact details are deleted (with the outbox copies of any e-mail sent about the concern,
which hold the address) and the concern is anonymised: its text becomes the redacted text,
impact and place are cleared. District, neighbourhood, theme, channel, age band and
the answers stay, so every count stays as it was. Nothing already done is done again, and
the audit log records what was erased.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from engage.database import rows_written, write_transaction
from engage.models import Concern, ConcernContact, Notification
from engage.notification_outbox import remove_notification_files
from engage.services.audit import record
from engage.services.classification import classify_pending
from jobs.framework import JobContext, JobResult, Period, london_midnight_utc

DEFAULT_RETENTION_MONTHS = 12
REDACT_BATCH = 500


def classify_pending_job(session: Session, period: Period, context: JobContext) -> JobResult:
    """Classify every concern stored while the model was unavailable (any day, not only
    the period's: the period only stops the job running twice a day)."""
    from classifiers.redaction import Redactor
    from classifiers.service import ThemeClassifier

    classifier = ThemeClassifier.load(Path(context.settings["model_dir"]))
    redactor = Redactor(context.settings.get("ner_model") or None)
    done = classify_pending(session, classifier, redactor, now=context.now)
    return JobResult(rows=done, detail={"classified": done, "model_version": classifier.version})


def retention_cutoff(period: Period, months: int) -> datetime:
    """The UTC instant before which concerns are due, for a run covering ``period``."""
    end = period.end
    index = end.year * 12 + end.month - 1 - months
    year, month = divmod(index, 12)
    day = min(end.day, _days_in_month(year, month + 1))
    return london_midnight_utc(date(year, month + 1, day))


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def _not_yet_anonymised() -> Any:
    return or_(
        Concern.text_redacted.is_(None),
        Concern.text != Concern.text_redacted,
        Concern.impact.is_not(None),
        Concern.place.is_not(None),
    )


def apply_retention(session: Session, period: Period, context: JobContext) -> JobResult:
    """Delete contact details and anonymise concerns past the retention period."""
    months = int(context.settings.get("retention_months") or DEFAULT_RETENTION_MONTHS)
    if months < 1:
        raise ValueError(f"retention_months must be at least 1, not {months}")
    cutoff = retention_cutoff(period, months)
    due = Concern.submitted_at < cutoff
    _redact_unredacted(session, cutoff, context)
    with write_transaction(session):
        # Read before the contacts go: once they have, a concern's copies are long gone too,
        # so later runs never look at its notifications again.
        message_copies = _remove_message_copies(session, due, context)
        contacts = session.execute(
            delete(ConcernContact)
            .where(ConcernContact.concern_id.in_(select(Concern.id).where(due)))
            .execution_options(synchronize_session=False)
        )
        anonymised = session.execute(
            update(Concern)
            .where(due, _not_yet_anonymised())
            .values(text=Concern.text_redacted, impact=None, place=None)
            .execution_options(synchronize_session=False)
        )
        counts = {
            "contacts_deleted": rows_written(contacts),
            "concerns_anonymised": rows_written(anonymised),
            "message_copies_deleted": message_copies,
        }
        if any(counts.values()):
            record(
                session,
                user_id=None,
                action="erase",
                object_type="retention",
                object_id=period.key,
                detail={
                    **counts,
                    "submitted_before": cutoff.isoformat(),
                    "retention_months": months,
                },
                now=context.now,
            )
    return JobResult(
        rows=sum(counts.values()),
        detail={**counts, "submitted_before": cutoff.isoformat()},
    )


def _remove_message_copies(session: Session, due: Any, context: JobContext) -> int:
    """Delete the outbox copies of e-mails sent about concerns now due whose contact
    details are about to be deleted: the copies hold the same address."""
    outbox = context.settings.get("outbox_dir")
    if not outbox:
        return 0
    still_held = select(ConcernContact.concern_id).join(Concern).where(due)
    sent = session.scalars(select(Notification.id).where(Notification.concern_id.in_(still_held)))
    return remove_notification_files(Path(outbox), sent)


def _redact_unredacted(session: Session, cutoff: datetime, context: JobContext) -> None:
    """Concerns never redacted (stored while the redactor failed) get redacted text first,
    so anonymising never leaves a concern with the resident's own words."""
    pending = session.scalar(
        select(func.count())
        .select_from(Concern)
        .where(Concern.submitted_at < cutoff, Concern.text_redacted.is_(None))
    )
    session.rollback()
    if not pending:
        return
    from classifiers.redaction import Redactor

    redactor = Redactor(context.settings.get("ner_model") or None)
    while True:
        with write_transaction(session):
            batch = session.execute(
                select(Concern.id, Concern.text)
                .where(Concern.submitted_at < cutoff, Concern.text_redacted.is_(None))
                .order_by(Concern.id)
                .limit(REDACT_BATCH)
            ).all()
            for concern_id, text in batch:
                session.execute(
                    update(Concern)
                    .where(Concern.id == concern_id)
                    .values(text_redacted=redactor.redact(text))
                    .execution_options(synchronize_session=False)
                )
        if len(batch) < REDACT_BATCH:
            return
