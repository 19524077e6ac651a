"""A resident stops our messages with the link in one of them, in one click.

Each message carries a link, signed with the service's secret, to a page that asks before
deleting anything (a mail scanner may open links). Confirming deletes the contact details
given with that concern, cancels the messages still waiting and records it; the concern
itself still counts. Mail programs' own "unsubscribe" (RFC 8058) posts to the same link.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engage.database import write_transaction
from engage.extensions import db
from engage.models import AuditEvent, Concern, ConcernContact, Notification
from engage.services.notifications import enqueue_priority_set
from engage.stop_message_links import concern_of, stop_token
from tests.pages import Page
from tests.panel_records import (
    add_concerns,
    add_meeting,
    add_panel,
    add_priority,
    resident_concern,
)

QUEUED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def owed_a_message(app: Flask, reference: str = "PP-STOP-0001") -> int:
    """A resident with contact details and a message waiting; returns the concern's id."""
    with app.app_context():
        session = db.session()
        (concern,) = add_concerns(
            session, resident_concern(reference=reference, email="amal@example.org")
        )
        priority = add_priority(session, add_meeting(session, add_panel(session)))
        with write_transaction(session):
            enqueue_priority_set(session, priority, now=QUEUED)
        return concern.id


def link(app: Flask, concern_id: int) -> str:
    return f"/stop-messages/{stop_token(str(app.config['SECRET_KEY']), concern_id)}"


def held(app: Flask, concern_id: int) -> tuple[bool, list[str], list[AuditEvent]]:
    with app.app_context():
        session = db.session()
        contact = session.scalar(
            select(ConcernContact).where(ConcernContact.concern_id == concern_id)
        )
        states = list(
            session.scalars(select(Notification.state).where(Notification.concern_id == concern_id))
        )
        events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.object_type == "concern_contact"))
        )
        session.expunge_all()
        return contact is not None, states, events


def test_the_link_asks_before_deleting_anything(app: Flask, client: FlaskClient) -> None:
    concern_id = owed_a_message(app)

    page = Page.of(client.get(link(app, concern_id)).data)

    assert page.heading == "Stop messages about your concern"
    assert "PP-STOP-0001" in page.text()
    assert "amal@example.org" not in page.text()
    assert held(app, concern_id)[:2] == (True, ["pending"])


def test_confirming_deletes_the_contact_details_and_cancels_what_was_waiting(
    app: Flask, client: FlaskClient
) -> None:
    concern_id = owed_a_message(app)

    response = client.post(link(app, concern_id))

    assert response.status_code == 200
    assert Page.of(response.data).heading == "You will get no more messages"
    has_contact, states, events = held(app, concern_id)
    assert not has_contact
    assert states == ["cancelled"]
    (event,) = events
    assert event.action == "erase"
    assert event.user_id is None
    assert event.object_id == str(concern_id)
    assert event.detail["kind"] == "resident_stopped_messages"
    with app.app_context():
        concern = db.session.get(Concern, concern_id)
        assert concern is not None
        assert concern.text == "Cars racing along the High Street every night"


def test_a_mail_program_can_unsubscribe_with_one_post_and_no_form_token(
    app: Flask, client: FlaskClient
) -> None:
    concern_id = owed_a_message(app)

    response = client.post(
        link(app, concern_id),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert held(app, concern_id)[0] is False


def test_using_the_link_again_says_it_is_already_done(app: Flask, client: FlaskClient) -> None:
    concern_id = owed_a_message(app)
    client.post(link(app, concern_id))

    again = client.post(link(app, concern_id))

    assert again.status_code == 200
    assert "had already been deleted" in Page.of(again.data).text()
    assert len(held(app, concern_id)[2]) == 1


def test_a_link_we_did_not_sign_or_for_no_concern_finds_nothing(
    app: Flask, client: FlaskClient
) -> None:
    concern_id = owed_a_message(app)
    forged = stop_token("not-our-secret-key-at-all-not-ours", concern_id)

    assert client.get(f"/stop-messages/{forged}").status_code == 404
    assert client.post(f"/stop-messages/{forged}").status_code == 404
    assert client.post(link(app, concern_id + 1000)).status_code == 404
    assert held(app, concern_id)[:2] == (True, ["pending"])


def test_a_token_names_only_the_concern_it_was_made_for() -> None:
    token = stop_token("k" * 40, 42)

    assert concern_of("k" * 40, token) == 42
    assert concern_of("k" * 40, token[:-2] + "xx") is None
    assert concern_of("k" * 40, stop_token("k" * 40, True)) is None  # type: ignore[arg-type]
