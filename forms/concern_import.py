"""Importing paper forms and survey returns: the upload form and the checks on each row.

Reading the file is input validation, so it lives here with no database access: a file
becomes a table of text cells, each row becomes a checked concern or a list of problems.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput
from wtforms import Field, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from forms.outreach_concerns import CheckedRow, RowAnswers, check_row
from forms.outreach_session import EARLIEST

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = 5000
COLUMNS = (
    "text",
    "district",
    "place",
    "date",
    "contact_name",
    "contact_email",
    "contact_phone",
    "consent",
)
REQUIRED_COLUMNS = ("text",)
EXAMPLE_ROW = (
    "Cars racing along the High Street every night",
    "fenland",
    "Wisbech",
    "14/03/2025",
    "",
    "",
    "",
    "",
)
KINDS = {"csv": "CSV", "xlsx": "Excel"}
_YES = {"yes", "y", "true", "1", "x", "agreed"}
_NO = {"", "no", "n", "false", "0"}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # the row number a spreadsheet shows: the header is row 1
    column: str
    message: str


@dataclass(frozen=True)
class ImportRow:
    row: int
    district: str
    raised_on: date | None
    checked: CheckedRow


@dataclass
class CheckedFile:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.problems


class ImportUploadForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    file = FileField(
        "Upload a file",
        description="A CSV file (UTF-8) or an Excel .xlsx file, up to 2 MB and 5,000 rows",
        widget=GovFileInput(),
    )
    outreach_session = RadioField(
        "Which session are these concerns from?", widget=GovRadioInput(), validate_choice=False
    )

    def __init__(self, *args: Any, session_choices: Sequence[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [*session_choices, ("none", "None of these (channel: other)")]
        self.outreach_session.choices = [SelectChoice(v, label) for v, label in choices]

    def validate_file(self, field: Field) -> None:
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError("Select a CSV or Excel file")
        if file_kind(upload.filename) is None:
            raise ValidationError("The selected file must be a CSV or an Excel (.xlsx) file")

    def validate_outreach_session(self, field: Field) -> None:
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Select the session these concerns are from, or none")

    def session_id(self) -> int | None:
        value = self.outreach_session.data
        return int(value) if value and value != "none" else None


def file_kind(filename: str) -> str | None:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return extension if extension in KINDS else None


def read_table(data: bytes, kind: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (normalised names) and the data rows with their row numbers."""
    if not data.strip():
        raise ImportFileError("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise ImportFileError("The selected file must be smaller than 2 MB")
    rows = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError("The selected file is empty") from None
    names = [_column_name(cell) for cell in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise ImportFileError(
            f"The file must have a column called {', '.join(missing)} in its first row. "
            "Download the template to see the columns"
        )
    return names, ((number, row) for number, row in enumerate(rows, start=2))


def _column_name(cell: str) -> str:
    return cell.strip().lower().replace(" ", "_").replace("-", "_")


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data[:4096] or data.startswith(b"PK\x03\x04"):
        raise ImportFileError("The selected file is not a CSV file: save it as CSV and try again")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The selected file is not saved as UTF-8: in Excel, save it as "
            "'CSV UTF-8 (Comma delimited)' and try again"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        yield from reader
    except csv.Error as error:
        raise ImportFileError(
            f"The file could not be read as CSV at row {reader.line_num}: {error}"
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    # openpyxl loads lazily here so the app does not pay for it unless someone imports.
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError("The selected file is not an Excel .xlsx file")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError(
            "The selected file could not be opened as an Excel .xlsx file"
        ) from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_file(
    header: list[str],
    rows: Iterator[tuple[int, list[str]]],
    *,
    districts: dict[str, str],
    default_district: str | None,
    today: date,
) -> CheckedFile:
    """Every row checked; blank rows are skipped, more than 5,000 rows refuse the file.

    ``districts`` maps what a cell may say (id or name, lower case) to the district id.
    """
    result = CheckedFile()
    if "district" not in header and default_district is None:
        raise ImportFileError(
            "The file must have a district column, or choose the session the concerns are from"
        )
    counted = 0
    for number, cells in rows:
        values = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(header)}
        if not any(values.get(c) for c in COLUMNS if c not in ("district", "date", "consent")):
            continue
        counted += 1
        if counted > MAX_ROWS:
            raise ImportFileError(f"The file must have {MAX_ROWS:,} rows or fewer")
        _check_one(result, number, values, districts, default_district, today)
    if counted == 0:
        raise ImportFileError("The file has no concerns in it: add one row per concern")
    return result


def _check_one(
    result: CheckedFile,
    number: int,
    values: dict[str, str],
    districts: dict[str, str],
    default_district: str | None,
    today: date,
) -> None:
    problems: list[RowProblem] = []
    if any(len(v) > MAX_CELL for v in values.values()):
        result.problems.append(
            RowProblem(number, "", f"A cell is longer than {MAX_CELL:,} characters")
        )
        return
    district = (
        districts.get(values.get("district", "").lower())
        if values.get("district")
        else (default_district)
    )
    if district is None:
        message = (
            "Enter a district from the list in the template"
            if values.get("district")
            else "Enter the district"
        )
        problems.append(RowProblem(number, "district", message))
    raised_on, date_problem = _raised_on(values.get("date", ""), today)
    if date_problem:
        problems.append(RowProblem(number, "date", date_problem))
    consent = values.get("consent", "").lower()
    if consent not in _YES | _NO:
        problems.append(RowProblem(number, "consent", "Enter yes or no for consent"))
    answers = RowAnswers(
        text=values.get("text", ""),
        place=values.get("place", ""),
        contact_name=values.get("contact_name", ""),
        contact_email=values.get("contact_email", ""),
        contact_phone=values.get("contact_phone", ""),
        consent=consent in _YES,
    )
    checked, row_problems = check_row(answers)
    problems += [RowProblem(number, column, message) for column, message in row_problems]
    if problems or checked is None or district is None:
        result.problems.extend(problems)
        return
    result.rows.append(ImportRow(number, district, raised_on, checked))


def _raised_on(value: str, today: date) -> tuple[date | None, str | None]:
    if not value:
        return None, None
    for pattern in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value[:10], pattern).date()
        except ValueError:
            continue
        if parsed > today:
            return None, "The date must be today or in the past"
        if parsed < EARLIEST:
            return None, "The date must be in 2000 or later"
        return parsed, None
    return None, "Enter the date as day/month/year, like 14/03/2025"


def template_csv() -> str:
    """The template offered for download: the columns and one example row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE_ROW)
    return out.getvalue()
