"""Concerns as CSV rows for Excel: UTF-8 with a BOM, every formula-like cell neutralised.

A cell starting with = + - @ (or a tab or carriage return) would run as a formula in a
spreadsheet, so it gets a leading single quote. Contact details and the original text are
columns only when the export asked for them (the service decides who may).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from engage.london_time import LONDON
from engage.models import Concern
from engage.spreadsheet_safety import BOM, neutralise

__all__ = ["BOM", "ExportOptions", "csv_lines", "header", "neutralise", "row"]


@dataclass(frozen=True)
class ExportOptions:
    include_original: bool = False
    include_contact: bool = False


def header(options: ExportOptions) -> list[str]:
    columns = [
        "reference",
        "received_at",
        "district",
        "neighbourhood",
        "channel",
        "status",
        "counted",
        "duplicate_of",
        "urgency",
        "theme",
        "theme_confidence",
        "secondary_themes",
        "language",
        "model_version",
        "original_text" if options.include_original else "redacted_text",
    ]
    if options.include_contact:
        columns += ["contact_name", "contact_email", "contact_phone", "consent_to_contact"]
    return columns


def row(concern: Concern, options: ExportOptions, reference_of: Callable[[int], str]) -> list[str]:
    text = concern.text if options.include_original else (concern.text_redacted or "")
    values: list[object] = [
        concern.reference,
        concern.submitted_at.astimezone(LONDON).isoformat(timespec="seconds"),
        concern.district,
        concern.neighbourhood,
        concern.channel,
        concern.status,
        "no" if concern.duplicate_of_id else "yes",
        reference_of(concern.duplicate_of_id) if concern.duplicate_of_id else "",
        concern.urgency,
        concern.theme,
        "" if concern.theme_confidence is None else f"{concern.theme_confidence:.2f}",
        ";".join(t.theme for t in concern.themes if t.rank > 0),
        concern.language,
        concern.model_version,
        text,
    ]
    if options.include_contact:
        contact = concern.contact
        values += (
            [
                contact.name,
                contact.email,
                contact.phone,
                "yes" if contact.consent_to_contact else "no",
            ]
            if contact
            else ["", "", "", ""]
        )
    return [neutralise(v) for v in values]


def csv_lines(
    concerns: Iterable[Concern], options: ExportOptions, reference_of: Callable[[int], str]
) -> Iterator[str]:
    """The file, a chunk at a time: the BOM and header first, then one chunk per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return chunk

    writer.writerow(header(options))
    yield BOM + take()
    for concern in concerns:
        writer.writerow(row(concern, options, reference_of))
        yield take()
