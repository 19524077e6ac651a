"""The weekly and monthly digest job: gather the figures, write them to the outbox, e-mail.

The figures come from ``jobs.digest_data``; a renderer turns them into files (by default
``engage.reports.rendering.DigestWriter``, which needs no Flask; a caller may pass another
in ``context.settings["digest_renderer"]``). E-mail is off unless SMTP settings
(``context.settings["smtp"]``) and recipients (``config/digests.yaml``) are both given.
The period's ``Digest`` row is replaced in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import yaml
from sqlalchemy import delete
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import Digest
from jobs.digest_data import gather_digest
from jobs.digest_mail import recipients_from, send_digest, smtp_from
from jobs.digest_model import DigestData, Names
from jobs.framework import JobContext, JobResult, Period


class WrittenFiles(Protocol):
    @property
    def folder(self) -> Path: ...
    @property
    def files(self) -> list[str]: ...
    @property
    def pdf(self) -> Path | None: ...


class DigestRenderer(Protocol):
    def write(self, data: DigestData, outbox: Path) -> WrittenFiles: ...


def default_renderer() -> DigestRenderer:
    from engage.reports.rendering import DigestWriter

    return DigestWriter()


def digest_config(config_dir: Path) -> dict[str, Any]:
    path = Path(config_dir) / "digests.yaml"
    if not path.exists():
        return {}
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data


def build_digest(session: Session, period: Period, context: JobContext) -> JobResult:
    """The job: the digest for a week (weekly) or a month (monthly)."""
    if period.grain == "day":
        raise ValueError("Digests are weekly or monthly; give a week or a month")
    settings: Mapping[str, Any] = context.settings
    config_dir = Path(settings["config_dir"])
    data = gather_digest(session, period, Names.load(config_dir), now=context.now)
    session.rollback()
    renderer: DigestRenderer = settings.get("digest_renderer") or default_renderer()
    written = renderer.write(data, Path(settings["outbox_dir"]))

    detail: dict[str, Any] = {"folder": str(written.folder), "files": written.files}
    emailed_at: datetime | None = None
    smtp = smtp_from(settings)
    recipients = recipients_from(settings, digest_config(config_dir))
    if smtp is None or not recipients:
        detail["email"] = "off: SMTP settings or recipients not configured"
    else:
        send_digest(smtp, recipients, data, written.folder, written.pdf)
        emailed_at = context.now
        detail["email"] = f"sent to {len(recipients)} recipient(s)"

    with write_transaction(session):
        session.execute(
            delete(Digest).where(Digest.kind == data.kind, Digest.period_start == period.start)
        )
        session.add(
            Digest(
                kind=data.kind,
                period_start=period.start,
                period_end=period.end,
                created_at=context.now,
                outbox_path=str(written.folder),
                emailed_at=emailed_at,
            )
        )
    return JobResult(rows=1, detail=detail)
