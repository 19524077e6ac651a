"""The dashboard's figures and the list of digests in the outbox (no Flask here)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.errors import EngageError
from engage.models import Digest
from engage.reports.charts import digest_charts
from engage.reports.tables import Table, digest_tables
from jobs.digest_data import gather_digest
from jobs.digest_model import DigestData, Filters, Names
from jobs.framework import Grain, Period, london_today

DIGESTS_SHOWN = 30
_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(html|pdf|csv|json)$")


class DigestFileNotFound(EngageError):
    title = "This digest file is not in the outbox"
    status = 404


@dataclass(frozen=True)
class Dashboard:
    data: DigestData
    tables: dict[str, Table]
    charts: dict[str, Markup]


@dataclass(frozen=True)
class DigestListing:
    id: int
    title: str
    kind: str
    period_start: date
    created_at: datetime
    emailed_at: datetime | None
    files: list[str]


def report_period(grain: Grain, day: date | None, now: datetime) -> Period:
    """The period holding ``day``, or else the latest complete one."""
    if day is not None:
        return Period.containing(grain, day)
    return Period.containing(grain, london_today(now)).previous()


def build_dashboard(
    session: Session, period: Period, filters: Filters, names: Names, now: datetime
) -> Dashboard:
    data = gather_digest(session, period, names, now=now, filters=filters)
    charts = {k: Markup(v) for k, v in digest_charts(data).items()}  # noqa: S704 - our SVG
    return Dashboard(data, digest_tables(data), charts)


def _manifest_files(folder: Path) -> list[str]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(f["name"]) for f in manifest.get("files", []) if _FILE_NAME.match(f["name"])]


def list_digests(session: Session, limit: int = DIGESTS_SHOWN) -> list[DigestListing]:
    digests = session.scalars(
        select(Digest).order_by(Digest.period_start.desc(), Digest.kind).limit(limit)
    )
    return [
        DigestListing(
            d.id,
            f"{d.kind.capitalize()} digest, {_label(d)}",
            d.kind,
            d.period_start,
            d.created_at,
            d.emailed_at,
            _manifest_files(Path(d.outbox_path)),
        )
        for d in digests
    ]


def _label(digest: Digest) -> str:
    grain: Grain = "month" if digest.kind == "monthly" else "week"
    return Period.containing(grain, digest.period_start).label


def digest_file(session: Session, digest_id: int, name: str, outbox_dir: Path) -> Path:
    """The path of one file of a digest, only if it lies inside the outbox and is listed."""
    digest = session.get(Digest, digest_id)
    if digest is None or not _FILE_NAME.match(name):
        raise DigestFileNotFound()
    folder = Path(digest.outbox_path).resolve()
    if not folder.is_relative_to(Path(outbox_dir).resolve()):
        raise DigestFileNotFound()
    if name != "manifest.json" and name not in _manifest_files(folder):
        raise DigestFileNotFound()
    path = folder / name
    if not path.is_file():
        raise DigestFileNotFound()
    return path
