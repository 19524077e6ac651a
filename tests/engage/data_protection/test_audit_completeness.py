"""Every change staff can make is in the audit log.

Two checks. The first reads the code: every function in ``engage/`` that opens a
``write_transaction``, a ``write_connection`` or a ``driver_write`` (or commits) must
record an audit event, itself or through a function it calls (matched by name), or be
listed in ``NOT_STAFF_ACTIONS`` with the reason. A new write without an audit event fails
here by name. The second runs the staff pages: every POST route that changes a row as a
signed-in member of staff must add an audit event in the same request.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import event, func, select, update

from engage.auth.access import allow
from engage.extensions import db
from engage.models import AuditEvent, Panel
from tests.engage.security.route_world import World, role_for, rules, seed_world, url_of
from tests.factories import signed_in
from tests.pages import Page

ENGAGE = Path(__file__).resolve().parents[3] / "engage"
AUDIT_CALLS = {"record", "record_view", "record_concern_change", "insert_audit_event"}
# Writes that are not a member of staff acting on someone's data, and why.
NOT_STAFF_ACTIONS = {
    "services/classification.py:classify_pending": "the model tags concerns stored while it "
    "was down; the model version and time are stored on each concern",
    "services/classification.py:record_classifications": "the model tags concerns just "
    "after they are stored, in batches; the model version and time are stored on each",
}


@dataclass
class Function:
    key: str
    writes: bool
    audits: bool
    calls: set[str] = field(default_factory=set)


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _functions() -> Iterator[Function]:
    for path in sorted(ENGAGE.rglob("*.py")):
        if "migrations" in path.parts or path.name == "database.py":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            called = {
                name
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and (name := _called_name(call)) is not None
            }
            yield Function(
                key=f"{path.relative_to(ENGAGE)}:{node.name}",
                writes=bool(
                    called & {"write_transaction", "write_connection", "driver_write", "commit"}
                ),
                audits=bool(called & AUDIT_CALLS),
                calls=called,
            )


def unaudited_writes() -> list[str]:
    functions = list(_functions())
    auditing = {f.key.rsplit(":", 1)[1] for f in functions if f.audits}
    # A function audits if it calls one that does (by name, across modules), to a fixpoint.
    while True:
        more = {
            f.key.rsplit(":", 1)[1]
            for f in functions
            if f.key.rsplit(":", 1)[1] not in auditing and f.calls & auditing
        }
        if not more:
            break
        auditing |= more
    return sorted(
        f.key
        for f in functions
        if f.writes and f.key.rsplit(":", 1)[1] not in auditing and f.key not in NOT_STAFF_ACTIONS
    )


def test_every_write_records_an_audit_event() -> None:
    assert unaudited_writes() == [], (
        "record an AuditEvent in these (engage.services.audit), or list them with the reason "
        "in NOT_STAFF_ACTIONS"
    )


def test_the_exemptions_still_exist() -> None:
    keys = {f.key for f in _functions()}
    assert sorted(set(NOT_STAFF_ACTIONS) - keys) == []


@contextmanager
def tables_written(app: Flask) -> Iterator[list[str]]:
    """The tables each INSERT, UPDATE or DELETE touches while the block runs."""
    written: list[str] = []

    def watch(conn: object, cursor: object, statement: str, *args: object) -> None:
        words = statement.split()
        verb = words[0].upper() if words else ""
        if verb in ("INSERT", "DELETE"):
            written.append(words[2].strip('"'))
        elif verb == "UPDATE":
            written.append(words[1].strip('"'))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        yield written
    finally:
        event.remove(engine, "before_cursor_execute", watch)


def _audit_count(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        db.session.remove()
        return count


# Rows a request may write without being a change to anyone's data.
BOOKKEEPING = {"audit_events"}


def walk_staff_posts(app: Flask, world: World) -> tuple[list[str], list[str]]:
    """POST to every staff route as its strongest role: (problems, routes that wrote)."""
    problems = []
    changing: list[str] = []
    for rule in rules(app):
        role = role_for(app, rule)
        if "POST" not in (rule.methods or set()) or role is None:
            continue
        url = url_of(rule, world.values)
        client = signed_in(app.test_client(), world.users[role])
        token = Page.of(client.get("/").data).csrf_token()
        before = _audit_count(app)
        with tables_written(app) as written:
            client.post(url, data={"csrf_token": token, **form_for(rule.endpoint)}).close()
        changed = sorted(set(written) - BOOKKEEPING)
        if changed:
            changing.append(rule.endpoint)
            if _audit_count(app) == before:
                problems.append(f"POST {url} as {role} wrote {changed} without an audit event")
    return problems, changing


def test_every_staff_post_that_changes_data_is_audited(app: Flask, tmp_path: Path) -> None:
    app.config["ENGAGE_OUTBOX_DIR"] = tmp_path / "outbox"
    world = seed_world(app, tmp_path / "outbox")

    problems, changing = walk_staff_posts(app, world)

    assert problems == []
    # The walk must reach real changes for the check to mean anything.
    assert len(changing) >= 8, changing


def test_the_walk_notices_a_change_without_an_audit_event(app: Flask, tmp_path: Path) -> None:
    @allow("admin")
    def rename_panel() -> str:
        db.session.execute(update(Panel).values(name="Renamed quietly"))
        db.session.commit()
        return "done"

    app.add_url_rule("/staff/rename-panel", view_func=rename_panel, methods=["POST"])
    world = seed_world(app, tmp_path / "outbox")

    problems, _ = walk_staff_posts(app, world)

    assert problems == ["POST /staff/rename-panel as admin wrote ['panels'] without an audit event"]


def form_for(endpoint: str) -> dict[str, str | list[str]]:
    """Answers that make a POST do its work, for routes where an empty form does nothing."""
    answers: dict[str, dict[str, str | list[str]]] = {
        "auth.change_role": {"role": "analyst"},
        "outreach.new_session": {
            "kind": "surgery",
            "held_on": ["2", "11", "2026"],
            "district": "fenland",
            "venue": "March library",
        },
        "outreach.log_concerns": {
            "submission_id": "audit-walk-0001",
            "rows-0-text": "Speeding on the A47 every night",
        },
        "triage.mark_handled": {"outcome_note": "Passed to the neighbourhood team"},
        "triage.retheme": {"theme": "drugs"},
        "triage.extend_redaction": {"phrases": "High Street"},
        "panels.record_action": {
            "taken_on": ["3", "11", "2026"],
            "description": "Speed checks on two evenings",
        },
        "data_protection.erase": {"email": "resident@example.org", "confirmation": "erase"},
    }
    return answers.get(endpoint, {})
