"""The audit log: admins read it and filter it; nobody can change it, not even the database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from engage.extensions import db
from engage.models import AuditEvent, User
from engage.services import audit
from tests.engage.triage.conftest import MakeUser, as_role
from tests.factories import signed_in
from tests.pages import Page


def add_event(app: Flask, user: User | None, action: str, at: datetime, **detail: object) -> int:
    with app.app_context():
        event = audit.record(
            db.session(), user_id=user.id if user else None, action=action, detail=detail, now=at
        )
        db.session.commit()
        return event.id


def shown(page: Page) -> list[list[str]]:
    return [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.soup.select("#audit-events tbody tr")
    ]


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("admin", name="Ada Admin")


def test_admins_read_the_log_newest_first_and_filter_it(
    app: Flask, client: FlaskClient, admin: User, make_user: MakeUser
) -> None:
    analyst = make_user("analyst", name="Ann Analyst")
    add_event(app, analyst, "export", datetime(2026, 11, 2, 9, tzinfo=UTC), rows=3)
    add_event(app, admin, "account_change", datetime(2026, 11, 3, 9, tzinfo=UTC))
    add_event(app, None, "update", datetime(2026, 11, 4, 23, 30, tzinfo=UTC))
    signed_in(client, admin)

    everything = shown(Page.of(client.get("/staff/triage/audit-log").data))
    by_person = shown(Page.of(client.get(f"/staff/triage/audit-log?user={analyst.id}").data))
    by_action = shown(Page.of(client.get("/staff/triage/audit-log?action=update").data))
    by_day = shown(
        Page.of(
            client.get(
                "/staff/triage/audit-log?on_or_after=4&on_or_after=11&on_or_after=2026"
                "&on_or_before=4&on_or_before=11&on_or_before=2026"
            ).data
        )
    )

    assert [row[2] for row in everything] == ["Update", "Account change", "Export"]
    assert [row[1] for row in by_person] == ["Ann Analyst"]
    assert '"rows": 3' in by_person[0][4]
    assert [row[1] for row in by_action] == ["The system"]
    # 23:30 UTC on 4 November is still 4 November in London (GMT).
    assert [row[2] for row in by_day] == ["Update"]


def test_a_to_date_before_the_from_date_is_explained(client: FlaskClient, admin: User) -> None:
    signed_in(client, admin)
    page = Page.of(
        client.get(
            "/staff/triage/audit-log?on_or_after=5&on_or_after=11&on_or_after=2026"
            "&on_or_before=4&on_or_before=11&on_or_before=2026"
        ).data
    )
    assert page.error_summary() == [
        ("The to date must be the same as or after the from date", "#on_or_before-day")
    ]


@pytest.mark.parametrize("role", ["analyst", "outreach", "panel", "commissioner_office"])
def test_only_admins_read_the_log(client: FlaskClient, make_user: MakeUser, role: str) -> None:
    assert as_role(client, make_user, role).get("/staff/triage/audit-log").status_code == 403


def test_no_route_changes_the_log(app: Flask) -> None:
    routes = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert routes
    assert all(r.methods is not None and r.methods <= {"GET", "HEAD", "OPTIONS"} for r in routes)


def test_the_database_refuses_to_update_or_delete_an_audit_event(app: Flask, admin: User) -> None:
    event_id = add_event(app, admin, "export", datetime(2026, 11, 2, 9, tzinfo=UTC))

    with app.app_context():
        session = db.session()
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(
                update(AuditEvent).where(AuditEvent.id == event_id).values(action="sign_in")
            )
        session.rollback()
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(delete(AuditEvent).where(AuditEvent.id == event_id))
        session.rollback()
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text("DELETE FROM audit_events"))
        session.rollback()
        stored = session.get(AuditEvent, event_id)
        assert stored is not None
        assert stored.action == "export"
