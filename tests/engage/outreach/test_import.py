"""Importing paper forms and survey returns from a file: a preview of every row and its
theme, every invalid row with its reason, then all rows or none; the same file twice adds
nothing the second time."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from engage.extensions import db
from engage.models import AuditEvent, Concern, ImportBatch, StaleRollupDay, User
from engage.services import concern_import
from tests.engage.outreach.conftest import (
    KeywordClassifier,
    MakeUser,
    SignIn,
    count,
    make_session,
    stored_concerns,
)
from tests.pages import Page

UPLOAD = "/staff/outreach/import"
HEADER = [
    "text",
    "district",
    "place",
    "date",
    "contact_name",
    "contact_email",
    "contact_phone",
    "consent",
]
GOOD_ROWS = [
    ["Speeding on the A141 by the school", "fenland", "March", "14/03/2025", "", "", "", ""],
    ["Bikes stolen at the station", "Cambridge City", "Romsey", "2025-03-10", "", "", "", ""],
    ["Litter by the river", "peterborough", "", "", "Jo", "jo@example.org", "", "yes"],
]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(
    client: FlaskClient, data: bytes, filename: str = "returns.csv", session: str = "none"
) -> TestResponse:
    token = Page.of(client.get(UPLOAD).data).csrf_token()
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    fields = MultiDict(
        {
            "csrf_token": token,
            "outreach_session": session,
            "file": FileStorage(io.BytesIO(data), filename=filename),
        }
    )
    boundary, body = encode_multipart(fields)
    return client.post(UPLOAD, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def commit(client: FlaskClient) -> TestResponse:
    """Press "Import all N rows", or post as if it were there when the preview offers none."""
    page = Page.of(client.get("/staff/outreach/import/preview").data)
    hidden = page.hidden_fields()
    token = hidden.get("csrf_token") or Page.of(client.get(UPLOAD).data).csrf_token()
    return client.post(
        "/staff/outreach/import/commit",
        data={"csrf_token": token, "digest": hidden.get("digest", "")},
    )


def upload_error(response: TestResponse) -> list[tuple[str, str]]:
    return Page.of(response.data).error_summary()


def test_a_good_file_is_previewed_with_themes_then_imported(
    app: Flask,
    worker_client: FlaskClient,
    worker: User,
    classified: KeywordClassifier,
    uploads: Path,
) -> None:
    response = upload(worker_client, csv_bytes(GOOD_ROWS))

    assert response.status_code == 303
    assert response.location.endswith("/staff/outreach/import/preview")
    preview = Page.of(worker_client.get(response.location).data)
    assert preview.heading == "Check the concerns before you import them"
    cells = [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in preview.soup.select("table tbody tr")
    ]
    assert cells == [
        ["2", "Speeding on the A141 by the school March", "Fenland", "Speeding (91% sure)"],
        [
            "3",
            "Bikes stolen at the station Romsey",
            "Cambridge City",
            "Cycle theft (38% sure) Check this",
        ],
        ["4", "Litter by the river", "Peterborough", "Other (72% sure)"],
    ]
    assert preview.soup.find("button", string=lambda s: s and "Import all 3 rows" in s)
    assert count(app, Concern) == 0

    done = commit(worker_client)

    assert done.status_code == 303
    assert "3 concerns imported" in Page.of(worker_client.get(done.location).data).text()
    speeding, bikes, litter = stored_concerns(app)
    assert {c.channel for c in (speeding, bikes, litter)} == {"other"}
    assert (speeding.district, speeding.neighbourhood, speeding.theme) == (
        "fenland",
        "March",
        "speeding",
    )
    assert bikes.district == "cambridge_city"
    assert speeding.submitted_at == datetime(2025, 3, 14, 12, tzinfo=UTC)
    assert litter.contact is not None
    assert litter.contact.email == "jo@example.org"
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
        assert (batch.rows_imported, batch.filename, batch.created_by) == (
            3,
            "returns.csv",
            worker.id,
        )
        assert {c.import_batch_id for c in (speeding, bikes, litter)} == {batch.id}
        assert {c.logged_by for c in (speeding, bikes, litter)} == {worker.id}
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
        assert event.detail["rows"] == 3
    assert list(uploads.iterdir()) == []  # the kept copy goes once imported


def test_concerns_from_a_session_take_its_channel_district_and_date(
    app: Flask, worker_client: FlaskClient, worker: User
) -> None:
    session_id = make_session(
        app, worker, kind="community_event", district="huntingdonshire", held_on=date(2025, 2, 1)
    )
    data = csv_bytes([["Speeding through Ramsey"]], header=["text"])

    upload(worker_client, data, session=str(session_id))
    commit(worker_client)

    (concern,) = stored_concerns(app)
    assert (concern.channel, concern.district, concern.outreach_session_id) == (
        "community_event",
        "huntingdonshire",
        session_id,
    )
    assert concern.submitted_at == datetime(2025, 2, 1, 12, tzinfo=UTC)


def test_invalid_rows_are_listed_with_their_reasons_and_nothing_can_be_imported(
    app: Flask, worker_client: FlaskClient
) -> None:
    rows = [
        GOOD_ROWS[0],
        ["", "fenland", "Wisbech", "", "", "", "", ""],  # place only: a concern with no text
        ["Drug dealing by the flats", "narnia", "", "", "", "", "", ""],
        ["Speeding again", "fenland", "", "32/13/2025", "", "", "", ""],
        ["Call me about it", "fenland", "", "", "Al", "al@example.org", "", "no"],
        [" ", "", "", "", "", "", "", ""],  # blank: skipped, not an error
    ]
    upload(worker_client, csv_bytes(rows))
    preview = Page.of(worker_client.get("/staff/outreach/import/preview").data)

    assert preview.title.startswith("Error: ")
    problems = [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in preview.soup.select("#problems tbody tr")
    ]
    assert problems == [
        ["3", "text", "Enter what the person raised"],
        ["4", "district", "Enter a district from the list in the template"],
        ["5", "date", "Enter the date as day/month/year, like 14/03/2025"],
        [
            "6",
            "consent",
            "Confirm the person agreed to be contacted, or remove their contact details",
        ],
    ]
    assert "Import all" not in preview.text()
    assert commit(worker_client).status_code == 303
    assert count(app, Concern) == 0


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "returns.csv", "The selected file is empty"),
        (
            b"district,place\nfenland,March\n",
            "returns.csv",
            "The file must have a column called text in its first row. "
            "Download the template to see the columns",
        ),
        (
            b"text\nSpeeding\n",
            "returns.csv",
            "The file must have a district column, or choose the session the concerns are from",
        ),
        (
            "text,district\nCaf\u00e9 de nuit: vols,fenland\n".encode("latin-1"),
            "returns.csv",
            "The selected file is not saved as UTF-8: in Excel, save it as "
            "'CSV UTF-8 (Comma delimited)' and try again",
        ),
        (
            b"text,district\n",
            "returns.csv",
            "The file has no concerns in it: add one row per concern",
        ),
        (
            b"text\nSpeeding\n",
            "returns.txt",
            "The selected file must be a CSV or an Excel (.xlsx) file",
        ),
        (b"not a workbook", "returns.xlsx", "The selected file is not an Excel .xlsx file"),
        (
            b'text,district\n"unclosed,fenland\n',
            "returns.csv",
            "The file could not be read as CSV at row 2: unexpected end of data",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_what_to_do(
    app: Flask, worker_client: FlaskClient, data: bytes, filename: str, message: str, uploads: Path
) -> None:
    response = upload(worker_client, data, filename)

    assert response.status_code == 400
    assert upload_error(response) == [(message, "#file")]
    assert Page.of(response.data).title.startswith("Error: ")
    assert count(app, Concern) == 0
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_no_file_chosen(worker_client: FlaskClient) -> None:
    token = Page.of(worker_client.get(UPLOAD).data).csrf_token()
    response = worker_client.post(
        UPLOAD,
        data={"csrf_token": token, "outreach_session": "none"},
        content_type="multipart/form-data",
    )
    assert upload_error(response) == [("Select a CSV or Excel file", "#file")]


def test_a_file_over_2_mb_is_refused(app: Flask, worker_client: FlaskClient) -> None:
    big = csv_bytes([["Speeding " * 200, "fenland"]] * 1300, header=["text", "district"])
    assert len(big) > 2 * 1024 * 1024
    response = upload(worker_client, big)
    assert response.status_code in (400, 413)
    assert upload_error(response) == [("The selected file must be smaller than 2 MB", "#file")]
    assert count(app, Concern) == 0


def test_a_file_of_more_than_5000_rows_is_refused(app: Flask, worker_client: FlaskClient) -> None:
    many = csv_bytes([["Speeding", "fenland"]] * 5001, header=["text", "district"])
    response = upload(worker_client, many)
    assert upload_error(response) == [("The file must have 5,000 rows or fewer", "#file")]


def test_the_same_file_again_is_refused_naming_the_earlier_import(
    app: Flask, worker_client: FlaskClient, sign_in: SignIn, make_user: MakeUser
) -> None:
    data = csv_bytes(GOOD_ROWS)
    upload(worker_client, data, "march.csv")
    commit(worker_client)

    again = upload(sign_in(make_user("outreach")), data, "copy of march.csv")

    assert again.status_code == 409
    ((message, href),) = upload_error(again)
    assert href == "#file"
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
    assert message.startswith("This file was already imported on ")
    assert f"as import {batch.id} (3 concerns, file march.csv). Nothing was added again." in message
    assert count(app, Concern) == 3


def test_two_people_committing_the_same_file_import_it_once(
    app: Flask, sign_in: SignIn, make_user: MakeUser
) -> None:
    data = csv_bytes(GOOD_ROWS)
    first, second = sign_in(make_user("outreach")), sign_in(make_user("admin"))
    upload(first, data)
    upload(second, data)  # both previews are open before either imports

    assert commit(first).status_code == 303
    refused = commit(second)

    assert refused.status_code == 409
    assert upload_error(refused)[0][0].startswith("This file was already imported")
    assert count(app, Concern) == 3
    assert count(app, ImportBatch) == 1


def test_a_race_lost_at_the_database_is_reported_as_a_duplicate(
    app: Flask, worker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When both imports pass the check at once, the unique digest stops the second."""
    with app.app_context():
        data = csv_bytes(GOOD_ROWS)
        from engage.reference_data import reference_data

        areas = reference_data().areas
        checked = concern_import.check_upload(
            data, "csv", areas=areas, default_district=None, today=date(2025, 3, 20)
        )
        options: dict[str, Any] = {
            "digest": concern_import.digest_of(data),
            "filename": "a.csv",
            "outreach_session": None,
            "user_id": worker.id,
            "areas": areas,
            "consent_wording_version": "1",
            "classifier": None,
            "redactor": _NoRedaction(),
            "now": datetime(2025, 3, 20, tzinfo=UTC),
        }
        concern_import.commit_import(db.session(), checked, **options)
        real = concern_import.fetch_import_batch_by_digest
        calls: list[str] = []

        def blind_first(session: Any, digest: str) -> ImportBatch | None:
            calls.append(digest)  # the check inside the transaction misses the other import
            return None if len(calls) == 1 else real(session, digest)

        monkeypatch.setattr(concern_import, "fetch_import_batch_by_digest", blind_first)
        with pytest.raises(concern_import.DuplicateImport):
            concern_import.commit_import(db.session(), checked, **options)
    assert count(app, Concern) == 3


def test_concerns_imported_for_days_already_past_mark_those_days_for_the_rollups(
    app: Flask, worker: User
) -> None:
    with app.app_context():
        from engage.reference_data import reference_data

        data = csv_bytes(GOOD_ROWS)
        areas = reference_data().areas
        checked = concern_import.check_upload(
            data, "csv", areas=areas, default_district=None, today=date(2025, 3, 20)
        )
        concern_import.commit_import(
            db.session(),
            checked,
            digest=concern_import.digest_of(data),
            filename="a.csv",
            outreach_session=None,
            user_id=worker.id,
            areas=areas,
            consent_wording_version="1",
            classifier=None,
            redactor=_NoRedaction(),
            now=datetime(2025, 3, 20, 9, tzinfo=UTC),
        )
        marked = sorted(db.session.scalars(select(StaleRollupDay.day)))
    # The undated row is stored for today, which the nightly run has yet to count.
    assert marked == [date(2025, 3, 10), date(2025, 3, 14)]


class _NoRedaction:
    def redact(self, text: str) -> str:
        return text


def test_an_excel_file_is_imported_like_a_csv(app: Flask, worker_client: FlaskClient) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Text", "District", "Place", "Date"])
    sheet.append(["Speeding on the A141", "Fenland", "March", datetime(2025, 3, 14)])
    sheet.append([None, None, None, None])
    sheet.append(["Bikes stolen", "peterborough", None, None])
    out = io.BytesIO()
    book.save(out)

    response = upload(worker_client, out.getvalue(), "survey.xlsx")
    assert response.status_code == 303
    assert commit(worker_client).status_code == 303

    first, second = stored_concerns(app)
    assert (first.text, first.district, first.neighbourhood) == (
        "Speeding on the A141",
        "fenland",
        "March",
    )
    assert first.submitted_at == datetime(2025, 3, 14, 12, tzinfo=UTC)
    assert second.district == "peterborough"


def test_a_commit_for_a_different_file_than_previewed_is_refused(
    app: Flask, worker_client: FlaskClient
) -> None:
    upload(worker_client, csv_bytes(GOOD_ROWS))
    page = Page.of(worker_client.get("/staff/outreach/import/preview").data)
    response = worker_client.post(
        "/staff/outreach/import/commit", data={"csrf_token": page.csrf_token(), "digest": "0" * 64}
    )
    assert response.status_code == 303
    assert response.location.endswith(UPLOAD)
    assert count(app, Concern) == 0


def test_a_worker_cannot_import_into_someone_elses_session(
    app: Flask, worker_client: FlaskClient, make_user: MakeUser
) -> None:
    theirs = make_session(app, make_user("outreach"))
    response = upload(
        worker_client, csv_bytes([["Speeding"]], header=["text"]), session=str(theirs)
    )
    assert upload_error(response) == [
        ("Select the session these concerns are from, or none", "#outreach_session")
    ]


def test_the_template_has_the_expected_columns_and_an_example(worker_client: FlaskClient) -> None:
    response = worker_client.get("/staff/outreach/import/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, example = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == HEADER
    assert example[:3] == ["Cars racing along the High Street every night", "fenland", "Wisbech"]
