"""The URL-map walk: every route declares who may use it, and each role gets exactly that.

Two checks work together. ``EXPECTED`` is written by hand from the issue's role
descriptions, so a wrong declaration in the code fails here; then every GET route is
requested as a stranger and as each role, and every POST route as each role that must be
refused, so a declaration that is right on paper but not enforced fails too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from engage.auth.access import PUBLIC, rule_of
from engage.extensions import db
from engage.models import ROLES, Concern, ImportBatch, OutreachSession, User
from engage.reference_data import reference_data
from engage.services import intake
from tests.factories import signed_in, staff_user, submission
from tests.pages import Page

Rule_ = str | frozenset[str]

STAFF = frozenset(ROLES)
ADMIN = frozenset({"admin"})
ANALYSTS = frozenset({"analyst", "admin"})
OUTREACH = frozenset({"outreach", "admin"})
OUTREACH_AND_ANALYSTS = frozenset({"outreach", "analyst", "admin"})
# Redacted text only, so panels (scoped to their area) and the commissioner's office too.
REDACTED_READERS = frozenset({"analyst", "panel", "commissioner_office", "admin"})
REPORT_READERS = frozenset({"analyst", "commissioner_office", "admin"})
# Panels: the commissioner's office runs them, analysts prepare the evidence; panel members
# read their own area's packs and priorities.
PANEL_MANAGERS = frozenset({"commissioner_office", "analyst", "admin"})
PANEL_READERS = PANEL_MANAGERS | {"panel"}

EXPECTED: dict[str, Rule_] = {
    # Residents and the API
    "public.tell_us": PUBLIC,
    "public.tell_us_alias": PUBLIC,
    "public.submit": PUBLIC,
    "public.confirmation": PUBLIC,
    "public.privacy": PUBLIC,
    "public.accessibility": PUBLIC,
    "public.cookies": PUBLIC,
    "public.stop_messages_page": PUBLIC,
    "public.stop_messages_confirmed": PUBLIC,
    "api.create_concern": PUBLIC,
    "api.form_token": PUBLIC,
    "api.concern_status": PUBLIC,
    "api.openapi": PUBLIC,
    "public.priorities_index": PUBLIC,
    "public.panel_priorities": PUBLIC,
    "api.neighbourhoods": PUBLIC,
    "api.neighbourhood_priorities": PUBLIC,
    "api.neighbourhood_priorities_csv": PUBLIC,
    "health.healthz": PUBLIC,
    # Signing in, your own account, staff accounts
    "auth.sign_in": PUBLIC,
    "auth.sign_in_submit": PUBLIC,
    "auth.sign_in_code": PUBLIC,
    "auth.sign_in_code_submit": PUBLIC,
    "auth.sign_out": STAFF,
    "auth.staff_home": STAFF,
    "auth.change_password": STAFF,
    "auth.two_factor": STAFF,
    "auth.users": ADMIN,
    "auth.create_user": ADMIN,
    "auth.user_detail": ADMIN,
    "auth.change_role": ADMIN,
    "auth.reset_password": ADMIN,
    "auth.deactivate_user": ADMIN,
    "auth.reactivate_user": ADMIN,
    "auth.remove_two_factor": ADMIN,
    # Outreach logging: outreach workers (their own sessions); analysts may read sessions
    "outreach.sessions": OUTREACH_AND_ANALYSTS,
    "outreach.view_session": OUTREACH_AND_ANALYSTS,
    "outreach.new_session": OUTREACH,
    "outreach.edit_session": OUTREACH,
    "outreach.log_concerns": OUTREACH,
    "outreach.correct_theme": OUTREACH,
    "outreach.import_file": OUTREACH,
    "outreach.import_preview": OUTREACH,
    "outreach.import_commit": OUTREACH,
    "outreach.import_template": OUTREACH,
    "outreach.import_done": OUTREACH_AND_ANALYSTS,
    # Triage and corrections: analysts; search and export show redacted text only
    "triage.queue": ANALYSTS,
    "triage.concern": ANALYSTS,
    "triage.contact_details": ANALYSTS,
    "triage.retheme": ANALYSTS,
    "triage.mark_handled": ANALYSTS,
    "triage.extend_redaction": ANALYSTS,
    "triage.merge": ANALYSTS,
    "triage.unmerge": ANALYSTS,
    "triage.search": REDACTED_READERS,
    "triage.export_start": REDACTED_READERS,
    "triage.export_download": REDACTED_READERS,
    "triage.audit_log": ADMIN,
    # Reports: the commissioner's office reads them all
    "reports.dashboard": REPORT_READERS,
    "reports.digest_download": REPORT_READERS,
    # Jobs
    "jobs_admin.runs": ADMIN,
    # Data protection: a resident's subject access export and erasure
    "data_protection.start": ADMIN,
    "data_protection.find": ADMIN,
    "data_protection.export": ADMIN,
    "data_protection.erase": ADMIN,
    # Panels (staff side)
    "panels.index": PANEL_READERS,
    "panels.panel": PANEL_READERS,
    "panels.pack": PANEL_READERS,
    "panels.pack_pdf": PANEL_READERS,
    "panels.new_panel": PANEL_MANAGERS,
    "panels.approve_quote": PANEL_MANAGERS,
    "panels.withdraw_quote": PANEL_MANAGERS,
    "panels.record_meeting": PANEL_MANAGERS,
    "panels.record_action": PANEL_MANAGERS,
    "panels.record_outcome": PANEL_MANAGERS,
    "panels.notifications": PANEL_MANAGERS,
    "panels.send_again": PANEL_MANAGERS,
}

# URL variables filled with rows the walk creates; any other variable gets a value that
# matches nothing, and only then may an allowed role see 404.
KNOWN_VALUES = ("user_id", "reference", "concern_id", "session_id", "batch_id", "category")


def _endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}


def test_every_route_declares_who_may_use_it(sqlite_app: Flask) -> None:
    undeclared = sorted(
        endpoint
        for endpoint in _endpoints(sqlite_app)
        if rule_of(sqlite_app.view_functions[endpoint]) is None
    )
    assert undeclared == [], "add @allow(...) or @public to these views"


def test_the_expectations_cover_every_route(sqlite_app: Flask) -> None:
    endpoints = _endpoints(sqlite_app)
    assert sorted(endpoints - EXPECTED.keys()) == [], "add these endpoints to EXPECTED"
    assert sorted(EXPECTED.keys() - endpoints) == [], "these endpoints no longer exist"


def test_every_declared_rule_is_the_expected_one(sqlite_app: Flask) -> None:
    wrong = {
        endpoint: (_show(rule_of(sqlite_app.view_functions[endpoint])), _show(expected))
        for endpoint, expected in EXPECTED.items()
        if endpoint in sqlite_app.view_functions
        and rule_of(sqlite_app.view_functions[endpoint]) != expected
    }
    assert wrong == {}, "endpoint: (declared, expected)"


def _show(rule: Rule_ | None) -> str | list[str] | None:
    return rule if rule is None or isinstance(rule, str) else sorted(rule)


@dataclass
class World:
    users: dict[str, User]
    values: dict[str, str]


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    """One account per role and one of each thing a URL can name, all in Fenland."""
    with app.app_context():
        session = db.session()
        users = {role: staff_user(session, role=role) for role in ROLES}
        receipt = intake.submit_concern(
            session,
            submission(district="fenland", place="Wisbech"),
            areas=reference_data().areas,
            channel="web",
            idempotency_key=None,
            consent_wording_version="test",
        )
        concern = session.scalars(
            select(Concern).where(Concern.reference == receipt.reference)
        ).one()
        now = datetime.now(UTC)
        outreach_session = OutreachSession(
            kind="surgery",
            held_on=date.today(),
            district="fenland",
            venue="Wisbech library",
            people_spoken_to=3,
            notes=None,
            created_by=users["outreach"].id,
            created_at=now,
            updated_at=now,
        )
        session.add(outreach_session)
        session.flush()
        batch = ImportBatch(
            file_sha256="0" * 64,
            filename="forms.csv",
            rows_imported=0,
            outreach_session_id=outreach_session.id,
            created_by=users["outreach"].id,
            created_at=now,
        )
        session.add(batch)
        session.commit()
        values = {
            "user_id": str(users["outreach"].id),
            "reference": receipt.reference,
            "concern_id": str(concern.id),
            "session_id": str(outreach_session.id),
            "batch_id": str(batch.id),
            # Not the default category: /staff/triage/urgent redirects to /staff/triage.
            "category": "low-confidence",
        }
        yield World(users=users, values=values)


def _url(rule: Rule, values: dict[str, str]) -> tuple[str, bool]:
    """The rule's URL with its variables filled in, and whether any had to be made up."""
    filled = {}
    made_up = False
    for name in rule.arguments:
        if name in (rule.defaults or {}):
            continue
        if name in values:
            filled[name] = values[name]
        else:
            made_up = True
            filled[name] = "999999" if "Integer" in type(rule._converters[name]).__name__ else "x"
    built = rule.build(filled, append_unknown=False)
    assert built is not None, rule.rule
    return built[1], made_up


def _walk(app: Flask, client: FlaskClient, role: str | None, values: dict[str, str]) -> list[str]:
    problems: list[str] = []
    token = Page.of(client.get("/staff" if role else "/staff/sign-in").data).csrf_token()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        expected = EXPECTED.get(rule.endpoint)
        if expected is None:
            continue  # reported by test_the_expectations_cover_every_route
        url, made_up = _url(rule, values)
        if "GET" in (rule.methods or set()):
            response = client.get(url)
        elif expected != PUBLIC and (role is None or role not in expected):
            response = client.post(url, data={"csrf_token": token})
        else:
            continue  # an allowed POST changes things: the area's own tests cover it
        status = response.status_code
        location = response.headers.get("Location", "")
        to_sign_in = status in (302, 303) and location.startswith("/staff/sign-in")
        where = f"{rule.methods - {'HEAD', 'OPTIONS'} if rule.methods else ''} {url}"
        if status >= 500:
            problems.append(f"{where}: server error {status}")
        elif expected == PUBLIC:
            if status in (401, 403):
                problems.append(f"{where}: public page refused ({status})")
        elif role is None:
            if not to_sign_in:
                problems.append(f"{where}: a stranger got {status}, not sent to sign in")
        elif role in expected:
            if status in (401, 403) or to_sign_in or (status == 404 and not made_up):
                problems.append(f"{where}: {role} is allowed but got {status} {location}")
        elif status != 403:
            problems.append(f"{where}: {role} must be refused but got {status} {location}")
    return problems


@pytest.mark.parametrize("role", [None, *ROLES], ids=["anonymous", *ROLES])
def test_each_role_gets_exactly_the_routes_it_may_use(
    app: Flask, client: FlaskClient, world: World, role: str | None
) -> None:
    if role is not None:
        signed_in(client, world.users[role])
    assert _walk(app, client, role, world.values) == []


def test_the_walk_notices_a_page_open_to_a_role_it_should_not_be(
    app: Flask, client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend the issue said only the commissioner's office may list staff accounts.
    monkeypatch.setitem(EXPECTED, "auth.users", frozenset({"commissioner_office"}))
    signed_in(client, world.users["admin"])
    assert _walk(app, client, "admin", world.values) == [
        "{'GET'} /staff/users: admin must be refused but got 200 "
    ]
