"""One of everything a URL can name, and a way to build every rule of the URL map with it.

The header crawl (``test_security_headers``) and the accessibility crawl
(``tests/browser/test_every_page_accessible``) walk ``app.url_map`` with these rows. A new
route whose URL variable is not in ``World.values`` fails both with a message saying to seed
a row here and add its value.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from engage.auth.access import PUBLIC, rule_of
from engage.extensions import db
from engage.models import (
    ROLES,
    Concern,
    Digest,
    ImportBatch,
    Notification,
    OutreachSession,
    Panel,
    PanelMeeting,
    Priority,
    PriorityAction,
    User,
)
from engage.reference_data import reference_data
from engage.services import intake
from engage.stop_message_links import stop_token
from tests.factories import contact, staff_user, submission

# Signed in as the most powerful role a route allows, so the page shows everything it can.
ROLE_PREFERENCE = ("admin", "analyst", "commissioner_office", "outreach", "panel")


class UnbuildableRoute(AssertionError):
    pass


@dataclass
class World:
    users: dict[str, User]
    values: dict[str, str]


def seed_world(app: Flask, outbox: Path) -> World:
    """Accounts for every role and one row of each kind, all in Fenland (Wisbech)."""
    with app.app_context():
        session = db.session()
        users = {role: staff_user(session, role=role) for role in ROLES}
        receipt = intake.submit_concern(
            session,
            submission(district="fenland", place="Wisbech", contact=contact()),
            areas=reference_data().areas,
            channel="web",
            idempotency_key=None,
            consent_wording_version="test",
        )
        concern = session.scalars(
            select(Concern).where(Concern.reference == receipt.reference)
        ).one()
        now = datetime.now(UTC)
        visit = OutreachSession(
            kind="surgery",
            held_on=date.today(),
            district="fenland",
            venue="Wisbech library",
            people_spoken_to=3,
            created_by=users["outreach"].id,
            created_at=now,
            updated_at=now,
        )
        session.add(visit)
        session.flush()
        batch = ImportBatch(
            file_sha256=secrets.token_hex(32),
            filename="forms.csv",
            rows_imported=0,
            outreach_session_id=visit.id,
            created_by=users["outreach"].id,
            created_at=now,
        )
        folder = outbox / "digests" / "weekly-2026-W47"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "manifest.json").write_text(json.dumps({"files": []}))
        digest = Digest(
            kind="weekly",
            period_start=date(2026, 11, 16),
            period_end=date(2026, 11, 22),
            created_at=now,
            outbox_path=str(folder),
        )
        # A panel may exist already (``engage panels sync`` makes one per area).
        panel = session.scalars(
            select(Panel).where(Panel.district == "fenland", Panel.neighbourhood == "Wisbech")
        ).one_or_none() or Panel(
            slug="wisbech",
            name="Wisbech neighbourhood panel",
            district="fenland",
            neighbourhood="Wisbech",
            created_at=now,
        )
        session.add_all([batch, digest, panel])
        session.flush()
        meeting = PanelMeeting(
            panel_id=panel.id,
            held_on=date(2026, 10, 20),
            attendees=12,
            period_start=date(2026, 7, 1),
            period_end=date(2026, 9, 30),
            recorded_by=users["commissioner_office"].id,
            recorded_at=now,
        )
        session.add(meeting)
        session.flush()
        priority = Priority(
            meeting_id=meeting.id,
            panel_id=panel.id,
            position=1,
            wording="Tackle speeding on the High Street",
            owner="Wisbech neighbourhood policing team",
            set_on=date(2026, 10, 20),
            review_on=date(2027, 1, 20),
        )
        session.add(priority)
        session.flush()
        action = PriorityAction(
            priority_id=priority.id,
            taken_on=date(2026, 11, 2),
            description="Speed checks on four evenings",
            recorded_at=now,
        )
        session.add(action)
        # A message to the resident that could not be sent, for the office to send again.
        notification = Notification(
            concern_id=concern.id,
            kind="priority_set",
            priority_id=priority.id,
            action_key=0,
            state="failed",
            created_at=now,
            attempts=5,
            last_error="SMTPRecipientsRefused 550",
        )
        session.add(notification)
        session.commit()
        for user in users.values():
            session.refresh(user)  # loaded, so the crawl can sign them in after this context
        values = {
            "user_id": str(users["outreach"].id),
            "reference": receipt.reference,
            "concern_id": str(concern.id),
            "session_id": str(visit.id),
            "batch_id": str(batch.id),
            "category": "low-confidence",
            "digest_id": str(digest.id),
            "name": "manifest.json",
            "slug": panel.slug,
            "panel_id": str(panel.id),
            "meeting_id": str(meeting.id),
            "priority_id": str(priority.id),
            "action_id": str(action.id),
            "notification_id": str(notification.id),
            "token": stop_token(str(app.config["SECRET_KEY"]), concern.id),
            "filename": "build/engage.css",
        }
        return World(users=users, values=values)


def url_of(rule: Rule, values: dict[str, str]) -> str:
    """The rule's URL filled from ``values``; fails, naming what to add, when it cannot be."""
    needed = sorted(set(rule.arguments) - set(rule.defaults or {}))
    missing = [name for name in needed if name not in values]
    if missing:
        raise UnbuildableRoute(
            f"{rule.rule} ({rule.endpoint}) needs {', '.join(missing)}: seed a row in "
            "tests/engage/security/route_world.py and add its value to World.values"
        )
    built = rule.build({name: values[name] for name in needed}, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


def role_for(app: Flask, rule: Rule) -> str | None:
    """Who to be to see the route: nobody for a public one, else its strongest role."""
    declared = rule_of(app.view_functions[rule.endpoint])
    if declared is None or declared == PUBLIC:
        return None
    return next(role for role in ROLE_PREFERENCE if role in declared)


def rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
