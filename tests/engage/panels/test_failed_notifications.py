"""Messages to residents that could not be sent: the office sees them and can send them again.

A message that fails on every attempt stops being tried (``jobs.notifications``). It must not
vanish into a job run's detail: the commissioner's office sees it, with the error but never
the resident's address, and can put it back in the queue, which the audit log records.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from engage.database import write_transaction
from engage.extensions import db
from engage.models import Notification, User
from engage.services.notifications import enqueue_action_recorded, enqueue_priority_set
from tests.engage.panels.conftest import NOW, audit_events, post_from
from tests.factories import signed_in, staff_user
from tests.pages import Page
from tests.panel_records import (
    add_action,
    add_concerns,
    add_meeting,
    add_panel,
    add_priority,
    resident_concern,
)

PAGE = "/staff/panels/notifications"
ERROR = "SMTPRecipientsRefused 550"


def queue_messages(app: Flask, *, failed: Sequence[int], sent: Sequence[int] = ()) -> list[int]:
    """Two residents each owed a priority-set message (ids 0 and 1 of those returned) and
    an action message (2 and 3); those at the positions ``failed`` failed for good, those
    at ``sent`` were sent, the rest wait."""
    with app.app_context():
        session = db.session()
        add_concerns(
            session,
            resident_concern(reference="PP-FAIL-0001", email="amal@example.org"),
            resident_concern(reference="PP-FAIL-0002", email="bo@example.org"),
        )
        priority = add_priority(session, add_meeting(session, add_panel(session)))
        action = add_action(session, priority, description="Speed checks on three evenings")
        with write_transaction(session):
            enqueue_priority_set(session, priority, now=NOW)
            enqueue_action_recorded(session, action, now=NOW)
        ids = list(session.scalars(select(Notification.id).order_by(Notification.id)))
        with write_transaction(session):
            session.execute(
                update(Notification)
                .where(Notification.id.in_([ids[i] for i in failed]))
                .values(state="failed", attempts=5, last_error=ERROR)
            )
            session.execute(
                update(Notification)
                .where(Notification.id.in_([ids[i] for i in sent]))
                .values(state="sent", attempts=1, sent_at=NOW)
            )
        return ids


def state_of(app: Flask, notification_id: int) -> tuple[str, int]:
    with app.app_context():
        found = db.session.get(Notification, notification_id)
        assert found is not None
        return found.state, found.attempts


def test_the_office_sees_each_message_that_could_not_be_sent_but_never_the_address(
    app: Flask, as_manager: FlaskClient
) -> None:
    queue_messages(app, failed=[0, 3], sent=[1])

    page = Page.of(as_manager.get(PAGE).data)

    rows = page.soup.select(".engage-failed-notifications tbody tr")
    assert len(rows) == 2
    first = rows[0].get_text(" ", strip=True)
    assert "PP-FAIL-0001" in first
    assert "Tackle speeding on the High Street" in first
    assert ERROR in first
    assert " 5 " in f" {first} "
    second = rows[1].get_text(" ", strip=True)
    assert "PP-FAIL-0002" in second
    assert "action recorded" in second
    assert "Speed checks on three evenings" in second
    counts = {dd["data-state"]: dd.get_text(strip=True) for dd in page.soup.select("dd")}
    assert counts == {"pending": "1", "sent": "1", "failed": "2", "cancelled": "0"}
    assert "amal@example.org" not in page.text()
    assert "bo@example.org" not in page.text()


def test_sending_again_puts_the_message_back_in_the_queue_and_is_audited(
    app: Flask, as_manager: FlaskClient, manager: User
) -> None:
    failed_id = queue_messages(app, failed=[0])[0]

    response = post_from(as_manager, PAGE, {}, to=f"{PAGE}/{failed_id}/send-again")

    assert response.status_code == 303
    assert state_of(app, failed_id) == ("pending", 0)
    page = Page.of(as_manager.get(response.headers["Location"]).data)
    assert "It will be sent again on the next delivery run" in page.text()
    assert not page.soup.select(".engage-failed-notifications")
    (event,) = audit_events(app, "notification")
    assert event.user_id == manager.id
    assert event.object_id == str(failed_id)
    assert event.detail == {"change": "sent_again", "attempts_before": 5, "last_error": ERROR}


def test_a_message_that_is_no_longer_failed_is_left_as_it_is(
    app: Flask, as_manager: FlaskClient
) -> None:
    ids = queue_messages(app, failed=[0], sent=[1])
    sent_id = ids[1]

    response = post_from(as_manager, PAGE, {}, to=f"{PAGE}/{sent_id}/send-again")
    missing = post_from(as_manager, PAGE, {}, to=f"{PAGE}/999999/send-again")

    assert response.status_code == missing.status_code == 303
    assert state_of(app, sent_id) == ("sent", 1)
    page = Page.of(as_manager.get(PAGE).data)
    assert "no longer waiting to be sent again" in page.text()
    assert audit_events(app, "notification") == []


def test_sending_again_needs_the_form_token(app: Flask, as_manager: FlaskClient) -> None:
    failed_id = queue_messages(app, failed=[0])[0]

    response = as_manager.post(f"{PAGE}/{failed_id}/send-again")

    assert response.status_code == 400
    assert state_of(app, failed_id) == ("failed", 5)


def test_panel_members_neither_see_nor_send_again(app: Flask, client: FlaskClient) -> None:
    failed_id = queue_messages(app, failed=[0])[0]
    with app.app_context():
        member = staff_user(
            db.session(), role="panel", district_scope="fenland", neighbourhood_scope="Wisbech"
        )
    signed_in(client, member)

    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/{failed_id}/send-again").status_code in (400, 403)
    assert state_of(app, failed_id) == ("failed", 5)
    assert "could not be sent" not in client.get("/staff/panels").get_data(as_text=True)


def test_the_panels_page_points_the_office_to_messages_that_could_not_be_sent(
    app: Flask, as_manager: FlaskClient
) -> None:
    queue_messages(app, failed=[0, 1])

    page = Page.of(as_manager.get("/staff/panels").data)

    link = page.soup.find("a", href=PAGE)
    assert link is not None
    assert link.get_text(strip=True) == "Messages to residents: 2 could not be sent"
