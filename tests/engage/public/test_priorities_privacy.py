"""Nothing private leaks into the public pages or the open data: not residents' contact
details, not what they wrote (unless staff approved a quote), not a meeting's notes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.panel_records import (
    add_action,
    add_concerns,
    add_meeting,
    add_panel,
    add_priority,
    add_quote,
    resident_concern,
)

PLANTED = {
    "name": "Zebedee Quillfeather",
    "email": "zebedee.quillfeather@example.net",
    "phone": "07700 900461",
    "raw text": "MARKER-RAW-TEXT-4471 the van outside number 12",
    "redacted text": "MARKER-REDACTED-9931 the van outside number [redacted]",
    "raw text of a quoted concern": "MARKER-QUOTED-RAW-5520 my neighbour at number 3",
    "quote of a quarantined concern": "MARKER-QUARANTINED-QUOTE-7713",
    "meeting notes": "MARKER-NOTES-2290 discussed the family at number 5",
    "reference": "PP-MARK-ER42",
}
APPROVED_QUOTE = "People race down the High Street every night"
PUBLIC_PATHS = (
    "/priorities",
    "/priorities?district=fenland",
    "/priorities/fenland-wisbech",
    "/priorities/fenland",
    "/api/v1/neighbourhoods",
    "/api/v1/neighbourhoods/fenland-wisbech/priorities",
    "/api/v1/neighbourhoods/fenland-wisbech/priorities.csv",
    "/api/v1/neighbourhoods/fenland/priorities",
    "/api/v1/neighbourhoods/fenland/priorities.csv",
)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    from engage.extensions import db

    with app.app_context():
        opened = db.session()
        yield opened
        opened.close()
        db.session.remove()


def plant_private_records(session: Session) -> None:
    for slug, neighbourhood in (("fenland-wisbech", "Wisbech"), ("fenland", None)):
        panel = add_panel(
            session,
            slug=slug,
            name=f"{neighbourhood or 'Fenland'} panel",
            neighbourhood=neighbourhood,
        )
        meeting = add_meeting(session, panel, notes=PLANTED["meeting notes"])
        priority = add_priority(session, meeting)
        add_action(session, priority)
    _resident, quoted, quarantined = add_concerns(
        session,
        resident_concern(
            reference=PLANTED["reference"],
            name=PLANTED["name"],
            email=PLANTED["email"],
            phone=PLANTED["phone"],
            text=PLANTED["raw text"],
            text_redacted=PLANTED["redacted text"],
            impact=PLANTED["raw text"],
            outcome_note=PLANTED["raw text"],
        ),
        resident_concern(text=PLANTED["raw text of a quoted concern"], email=PLANTED["email"]),
        resident_concern(status="quarantined"),
    )
    add_quote(session, quoted, APPROVED_QUOTE)
    add_quote(session, quarantined, PLANTED["quote of a quarantined concern"])


def test_no_contact_details_unapproved_words_or_notes_reach_any_public_page_or_data(
    client: FlaskClient, session: Session
) -> None:
    plant_private_records(session)

    seen = {}
    for path in PUBLIC_PATHS:
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = response.get_data(as_text=True)

    assert APPROVED_QUOTE in seen["/priorities/fenland-wisbech"]
    assert APPROVED_QUOTE in seen["/priorities/fenland"]
    for path, body in seen.items():
        for what, marker in PLANTED.items():
            assert marker not in body, f"{what} appears on {path}"
        assert "Zebedee" not in body, path
        assert "MARKER-" not in body, path
