"""Importing a file of concerns: keep the upload, preview every row, commit all or nothing.

The upload is kept on the server under a random name between preview and commit, and the
person's session holds that name with the file's SHA-256: the commit reads the same bytes
back, checks the digest, and checks every row again, so nothing the browser sends after
the preview is trusted. A file's digest is unique among import batches, so the same file
imported twice (even by two people at once) adds nothing the second time.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engage.areas import Areas
from engage.database import write_transaction
from engage.errors import EngageError
from engage.london_time import LONDON
from engage.models import Concern, ImportBatch, OutreachSession
from engage.references import new_reference
from engage.repository.outreach import add_import_batch, fetch_import_batch_by_digest
from engage.repository.rollup_marks import mark_past_days_stale
from engage.services import audit, intake
from engage.services.classification import Classifies, Redacts, apply_classification
from forms.concern_import import CheckedFile, ImportRow, check_file, read_table

UPLOAD_LIFETIME_SECONDS = 6 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_REFERENCE_BATCH = 500


class DuplicateImport(EngageError):
    title = "This file was already imported"
    status = 409

    def __init__(self, batch: ImportBatch) -> None:
        super().__init__(
            f"This file was already imported on {batch.created_at.astimezone(LONDON):%-d %B %Y} "
            f"as import {batch.id} ({batch.rows_imported:,} concerns, file {batch.filename}). "
            "Nothing was added again."
        )
        self.batch_id = batch.id


class UploadExpired(EngageError):
    title = "The uploaded file is no longer available"
    status = 410


@dataclass(frozen=True)
class StoredUpload:
    token: str
    digest: str


@dataclass(frozen=True)
class PreviewRow:
    row: int
    text: str
    district: str
    place: str | None
    theme: str | None
    confidence: float | None
    needs_review: bool


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_upload(directory: Path, data: bytes) -> StoredUpload:
    """Keep the bytes under a random name only the server knows; sweep stale uploads."""
    directory.mkdir(parents=True, exist_ok=True)
    _sweep(directory)
    token = secrets.token_urlsafe(24)
    descriptor = os.open(directory / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return StoredUpload(token, digest_of(data))


def load_upload(directory: Path, upload: StoredUpload) -> bytes:
    path = directory / upload.token
    if not _TOKEN.match(upload.token) or not path.is_file():
        raise UploadExpired("Upload the file again: it was removed after 6 hours or after import")
    data = path.read_bytes()
    if digest_of(data) != upload.digest:
        raise UploadExpired("Upload the file again: the stored copy does not match")
    return data


def discard_upload(directory: Path, token: str) -> None:
    if _TOKEN.match(token):
        (directory / token).unlink(missing_ok=True)


def _sweep(directory: Path) -> None:
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for path in directory.iterdir():
        if path.is_file() and _TOKEN.match(path.name) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def earlier_import(session: Session, digest: str) -> ImportBatch | None:
    batch = fetch_import_batch_by_digest(session, digest)
    session.rollback()
    return batch


def check_upload(
    data: bytes,
    kind: str,
    *,
    areas: Areas,
    default_district: str | None,
    today: date,
) -> CheckedFile:
    """Every row of the file checked (raises ImportFileError when the file is unreadable)."""
    header, rows = read_table(data, kind)
    names = {d.id: d.id for d in areas.districts}
    names.update({d.name.lower(): d.id for d in areas.districts})
    return check_file(header, rows, districts=names, default_district=default_district, today=today)


def preview(checked: CheckedFile, classifier: Classifies | None) -> list[PreviewRow]:
    results = classifier.classify_many([r.checked.text for r in checked.rows]) if classifier else []
    previewed = []
    for i, row in enumerate(checked.rows):
        result = results[i] if results else None
        previewed.append(
            PreviewRow(
                row=row.row,
                text=row.checked.text,
                district=row.district,
                place=row.checked.place,
                theme=result.theme if result else None,
                confidence=result.confidence if result else None,
                needs_review=result.needs_review if result else False,
            )
        )
    return previewed


def commit_import(
    session: Session,
    checked: CheckedFile,
    *,
    digest: str,
    filename: str,
    outreach_session: OutreachSession | None,
    user_id: int,
    areas: Areas,
    consent_wording_version: str,
    classifier: Classifies | None,
    redactor: Redacts,
    now: datetime,
) -> ImportBatch:
    """Store every row of a checked file as one batch, or nothing."""
    if not checked.is_valid:
        raise ValueError("Only a file with no invalid rows can be imported")
    concerns = [
        _concern(row, digest, outreach_session, user_id, areas, consent_wording_version, now)
        for row in checked.rows
    ]
    results = classifier.classify_many([c.text for c in concerns]) if classifier else []
    for i, concern in enumerate(concerns):
        concern.text_redacted = redactor.redact(concern.text)
        if results:
            apply_classification(concern, results[i], now)
    try:
        with write_transaction(session):
            earlier = fetch_import_batch_by_digest(session, digest)
            if earlier is not None:
                raise DuplicateImport(earlier)
            batch = add_import_batch(
                session,
                ImportBatch(
                    file_sha256=digest,
                    filename=filename[:255],
                    rows_imported=len(concerns),
                    outreach_session_id=outreach_session.id if outreach_session else None,
                    created_by=user_id,
                    created_at=now,
                ),
            )
            for concern, reference in zip(
                concerns, _unused_references(session, len(concerns)), strict=True
            ):
                concern.reference = reference
                concern.import_batch_id = batch.id
            session.add_all(concerns)
            mark_past_days_stale(session, (c.submitted_day for c in concerns), now)
            audit.record(
                session,
                user_id=user_id,
                action="import",
                object_type="import_batch",
                object_id=batch.id,
                detail={"rows": len(concerns), "file_sha256": digest, "filename": filename[:255]},
                now=now,
            )
    except IntegrityError:
        # Two imports of the same file raced; the unique digest let only one through.
        earlier = earlier_import(session, digest)
        if earlier is None:
            raise
        raise DuplicateImport(earlier) from None
    return batch


def _concern(
    row: ImportRow,
    digest: str,
    outreach_session: OutreachSession | None,
    user_id: int,
    areas: Areas,
    consent_wording_version: str,
    now: datetime,
) -> Concern:
    concern = intake.build_concern(
        row.checked.submission(row.district),
        areas=areas,
        channel=outreach_session.kind if outreach_session else "other",
        consent_wording_version=consent_wording_version,
        now=now,
    )
    raised_on = row.raised_on or (outreach_session.held_on if outreach_session else None)
    if raised_on is not None:
        # A paper form counts on the day it was filled in; midday avoids any clock change.
        concern.submitted_at = datetime.combine(raised_on, clock(12), LONDON).astimezone(UTC)
    concern.idempotency_key = f"import:{digest}:{row.row}"
    concern.outreach_session_id = outreach_session.id if outreach_session else None
    concern.logged_by = user_id
    return concern


def _unused_references(session: Session, count: int) -> list[str]:
    """``count`` distinct references no stored concern has, checked a batch at a time."""
    chosen: set[str] = set()
    while len(chosen) < count:
        wanted = min(count - len(chosen), _REFERENCE_BATCH)
        candidates = {new_reference() for _ in range(wanted)} - chosen
        taken = set(
            session.scalars(select(Concern.reference).where(Concern.reference.in_(candidates)))
        )
        chosen |= candidates - taken
    return list(chosen)


def session_choices(
    sessions: Sequence[OutreachSession], kind_labels: dict[str, str]
) -> list[tuple[str, str]]:
    return [
        (str(s.id), f"{kind_labels.get(s.kind, s.kind)}, {s.venue}, {s.held_on:%-d %B %Y}")
        for s in sessions
    ]
