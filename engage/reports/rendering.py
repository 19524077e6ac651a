"""Turn a digest's figures into files: an HTML page, a PDF, CSV tables and a manifest.

No Flask and no request: the templates are read with a standalone Jinja environment from
``engage/templates``, so the scheduler process renders digests on its own.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from engage.reports.charts import digest_charts
from engage.reports.tables import Cell, digest_tables
from engage.spreadsheet_safety import neutralise
from jobs.digest_model import DigestData

log = logging.getLogger(__name__)


def csv_text(headers: list[str], rows: list[list[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    writer.writerows([neutralise(c) for c in row] for row in rows)
    return buffer.getvalue()


def template_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("engage", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


def render_pdf(html: str) -> bytes | None:
    """The PDF of a page, or None when WeasyPrint's system libraries are missing."""
    try:
        from weasyprint import HTML
    except OSError as error:  # pango not installed: say so, still deliver the rest
        log.warning("No PDF: WeasyPrint cannot load its system libraries (%s)", error)
        return None
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


@dataclass(frozen=True)
class WrittenDigest:
    folder: Path
    files: list[str]
    html: str
    pdf: Path | None


class DigestWriter:
    """Writes one folder per digest: ``<outbox>/digests/weekly-2026-W47/``."""

    def __init__(self, environment: Environment | None = None, *, pdf: bool = True) -> None:
        self.environment = environment or template_environment()
        self.pdf = pdf

    def context(self, data: DigestData) -> dict[str, Any]:
        return {
            "data": data,
            "tables": digest_tables(data),
            "charts": {k: Markup(v) for k, v in digest_charts(data).items()},  # noqa: S704 - matplotlib's own SVG, text escaped by it
        }

    def render_html(self, data: DigestData) -> str:
        return self.environment.get_template("reports/digest.html").render(self.context(data))

    def write(self, data: DigestData, outbox: Path) -> WrittenDigest:
        name = f"{data.kind}-{data.period.label}"
        final = Path(outbox) / "digests" / name
        staging = final.with_name(f".{name}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        context = self.context(data)
        html = self.environment.get_template("reports/digest.html").render(context)
        (staging / "digest.html").write_text(html, encoding="utf-8")
        notes = list(data.notes)
        pdf = render_pdf(html) if self.pdf else None
        if pdf is not None:
            (staging / "digest.pdf").write_bytes(pdf)
        elif self.pdf:
            notes.append("No PDF: WeasyPrint's system libraries are missing on this server.")
        for key, table in context["tables"].items():
            (staging / f"{key}.csv").write_text(
                csv_text(table.headers, table.rows), encoding="utf-8"
            )
        files = sorted(p.name for p in staging.iterdir())
        manifest = {
            "title": data.title,
            "kind": data.kind,
            "period": data.period.key,
            "period_label": data.period.label,
            "generated_at": data.generated_at.isoformat(),
            "notes": notes,
            "files": [
                {
                    "name": f,
                    "bytes": (staging / f).stat().st_size,
                    "sha256": hashlib.sha256((staging / f).read_bytes()).hexdigest(),
                }
                for f in files
            ],
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        # Swap the finished folder in, so a reader never sees half a digest.
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
        return WrittenDigest(
            final,
            [*files, "manifest.json"],
            html,
            final / "digest.pdf" if pdf is not None else None,
        )
