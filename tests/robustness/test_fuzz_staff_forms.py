"""Hostile input on every staff form: sign-in, outreach sessions and logging, imports, triage
actions, search, user administration, data protection and panels.

The forms are not listed by hand: each role's pages are crawled from the staff home (and
from a few seeded records), and every form found is filled with hostile values, fields
left out, choices swapped for junk, files replaced by random bytes. Any POST route that no
page offered a form for is fuzzed directly with arbitrary fields, so a new route is covered
the day it appears. Nothing may answer with a server error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from engage.extensions import db
from engage.models import User
from tests.engage.outreach.conftest import make_session
from tests.factories import signed_in, staff_user
from tests.robustness.crawl import SKIP_PATHS, crawl, endpoint_of
from tests.robustness.hostile import (
    Form,
    fill,
    form_body,
    forms_on,
    hostile_text,
    multipart_safe,
)

pytestmark = [
    pytest.mark.slow,
    # Hypothesis warns when it writes out a huge example; huge examples are the point here.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

ROLES = ("outreach", "analyst", "panel", "commissioner_office", "admin")

# Values for route arguments no seeded record supplies.
ROUTE_DEFAULTS: dict[str, Any] = {
    "concern_id": 1,
    "batch_id": 1,
    "digest_id": 1,
    "name": "x.csv",
    "notification_id": 1,
    "token": "not-a-signed-token",
}

# No shrinking: the failure message names the form, the role and the answer, and shrinking
# across dozens of forms whose state the failing request changed takes minutes.
staff_fuzz = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@dataclass(frozen=True)
class Seeded:
    users: dict[str, User]
    target: User
    reference: str
    values: dict[str, Any]


def seed(app: Flask) -> Seeded:
    """One person per role, a person for the admin to act on, concerns, an outreach
    session and a panel with a meeting, a priority and an action."""
    client = app.test_client()
    references = []
    for text in ("Speeding on the High Street in Wisbech", "Drug dealing by the bus station"):
        answer = client.post(
            "/api/v1/concerns",
            json={"text": text, "district": "fenland", "place": "Wisbech"},
        )
        assert answer.status_code == 201
        assert answer.json is not None
        references.append(answer.json["reference"])
    with app.app_context():
        session = db.session()
        values: dict[str, Any] = {"reference": references[0], "category": "urgent"}
        values.update(_seed_panel(session))
        users = {role: staff_user(session, role=role) for role in ROLES}
        target = staff_user(session, role="outreach", name="Someone to administer")
        db.session.remove()
    values["session_id"] = make_session(app, users["outreach"])
    values["user_id"] = target.id
    return Seeded(users, target, references[0], values)


def _seed_panel(session: Any) -> dict[str, Any]:
    from tests.panel_records import add_action, add_meeting, add_panel, add_priority

    panel = add_panel(session)
    meeting = add_meeting(session, panel)
    priority = add_priority(session, meeting, review_on=date(2027, 2, 18))
    add_action(session, priority)
    return {"slug": panel.slug, "priority_id": priority.id}


def send(client: FlaskClient, form: Form, values: list[tuple[str, Any]]) -> int:
    if form.method == "GET":
        query = form_body([(k, v) for k, v in values if isinstance(v, str)]).decode()
        return client.get(form.action, query_string=query).status_code
    if form.multipart or any(not isinstance(v, str) for _, v in values):
        data: dict[str, Any] = {}
        for name, value in values:
            data[name] = value if not isinstance(value, str) else multipart_safe(value)
        return client.post(form.action, data=data, content_type="multipart/form-data").status_code
    return client.post(
        form.action, data=form_body(values), content_type="application/x-www-form-urlencoded"
    ).status_code


def staff_forms(app: Flask) -> tuple[Seeded, list[tuple[str, Form]]]:
    """Seed the records, then crawl as each role; each (role, form) once."""
    seeded = seed(app)
    seeds = [
        f"/staff/concerns/{seeded.reference}",
        f"/staff/outreach/sessions/{seeded.values['session_id']}",
        f"/staff/outreach/sessions/{seeded.values['session_id']}/concerns",
        f"/staff/panels/{seeded.values['slug']}",
        f"/staff/users/{seeded.target.id}",
    ]
    found: dict[tuple[str, str, str], tuple[str, Form]] = {}
    for role, user in seeded.users.items():
        forms = [
            form
            for path, html in crawl(app, user, seeds)
            for form in forms_on(path, html)
            if not form.action.startswith(SKIP_PATHS)
        ]
        for form in forms:
            found.setdefault((role, form.method, form.action), (role, form))
    return seeded, list(found.values())


def post_routes(app: Flask) -> list[tuple[str, set[str]]]:
    """Each POST route's endpoint and the names of its arguments."""
    return [
        (rule.endpoint, set(rule.arguments))
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or set()) and not rule.rule.startswith(SKIP_PATHS)
    ]


def test_no_staff_form_or_post_route_answers_hostile_input_with_a_server_error(
    fuzz_app: Flask,
) -> None:
    """One crawl per database (it is the slow part), then two fuzzers over what it found."""
    seeded, forms = staff_forms(fuzz_app)
    offered = {endpoint_of(fuzz_app, form.method, form.action) for _, form in forms}
    assert {
        "outreach.new_session",
        "outreach.log_concerns",
        "outreach.import_file",
        "triage.search",
        "triage.retheme",
        "triage.mark_handled",
        "triage.export_download",
        "auth.create_user",
        "auth.change_password",
    } <= offered, "the crawl no longer reaches the staff journeys' forms"

    @staff_fuzz
    @given(data=st.data())
    def every_form(data: st.DataObject) -> None:
        # Every form is sent in every example, so the draws do not depend on what failed.
        failures = []
        for role, form in forms:
            client = signed_in(fuzz_app.test_client(), seeded.users[role])
            values = fill(form, data.draw)
            try:
                status = send(client, form, values)
            except Exception as error:  # the test client re-raises what would be a 500
                failures.append(f"{form.label} as {role} raised {error!r} for {values!r}"[:2000])
                continue
            if status >= 500:
                failures.append(f"{form.label} as {role} answered {status}")
        assert failures == []

    with fuzz_app.test_request_context():
        known = {**ROUTE_DEFAULTS, **seeded.values}
        formless = [
            url_for(endpoint, **{name: known[name] for name in arguments})
            for endpoint, arguments in post_routes(fuzz_app)
            if endpoint not in offered
        ]

    @staff_fuzz
    @given(fields=st.lists(st.tuples(st.text(min_size=1, max_size=20), hostile_text), max_size=6))
    def every_formless_route(fields: list[tuple[str, str]]) -> None:
        failures = []
        body = form_body(fields)
        for path in formless:
            for role, user in seeded.users.items():
                client = signed_in(fuzz_app.test_client(), user)
                try:
                    status = client.post(
                        path, data=body, content_type="application/x-www-form-urlencoded"
                    ).status_code
                except Exception as error:  # the test client re-raises what would be a 500
                    failures.append(f"POST {path} {fields!r} as {role} raised {error!r}")
                    continue
                if status >= 500:
                    failures.append(f"POST {path} {fields!r} as {role} answered {status}")
        assert failures == []

    every_form()
    every_formless_route()
    # The figures the README quotes; shown with `pytest -s`.
    print(
        f"\nstaff fuzz: {len(forms)} forms and {len(formless)} form-less POST routes, "
        f"{staff_fuzz.max_examples} examples each"
    )


def test_sign_in_survives_hostile_input_without_a_server_error(fuzz_app: Flask) -> None:
    @staff_fuzz
    @given(email=hostile_text, password=hostile_text)
    def attempt(email: str, password: str) -> None:
        client = fuzz_app.test_client()
        response = client.post(
            "/staff/sign-in",
            data=form_body([("email", email), ("password", password)]),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in (400, 413), response.status_code

    attempt()
