"""Delivering notifications: each owed message reaches its resident once, by e-mail or as a
file in the outbox; an erased contact gets nothing; failures are kept and retried."""

from __future__ import annotations

import email
import socket
from datetime import UTC, date, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import ConcernContact, Notification, Priority
from engage.services.notifications import enqueue_action_recorded, enqueue_priority_set
from jobs.catalogue import load_catalogue
from jobs.framework import JobContext, Period
from jobs.notifications import deliver_notifications
from jobs.runner import run_named
from tests.jobs.test_digest_smtp_sink import SmtpSink
from tests.panel_records import (
    add_action,
    add_concerns,
    add_meeting,
    add_panel,
    add_priority,
    resident_concern,
)

NOW = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
TODAY = Period("day", date(2026, 11, 23))


def settings(app: Flask, outbox: Path, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "outbox_dir": outbox,
        "config_dir": Path(app.config["ENGAGE_CONFIG_DIR"]),
        "public_url": "https://priorities.example.org",
        "secret_key": str(app.config["SECRET_KEY"]),
        "smtp": None,
    }
    values.update(overrides)
    return values


def deliver(session: Session, app: Flask, outbox: Path, **overrides: Any) -> dict[str, Any]:
    context = JobContext(now=NOW, triggered_by="test", settings=settings(app, outbox, **overrides))
    return deliver_notifications(session, TODAY, context).detail


def states(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(
        select(Notification.state, Notification.attempts).order_by(Notification.id)
    )
    result = [(state, attempts) for state, attempts in rows]
    session.rollback()
    return result


def queue_priority(session: Session, *residents: Any) -> Priority:
    add_concerns(session, *residents)
    priority = add_priority(session, add_meeting(session, add_panel(session)))
    with write_transaction(session):
        enqueue_priority_set(session, priority, now=NOW)
    return priority


def sink_settings(sink: SmtpSink) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": sink.port,
        "from": "priorities@example.org",
        "starttls": False,
    }


def read_eml(path: Path) -> Message:
    return email.message_from_bytes(path.read_bytes())


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_without_smtp_each_message_is_written_to_the_outbox_and_marked_sent(
    session: Session, app: Flask, tmp_path: Path
) -> None:
    queue_priority(session, resident_concern(reference="PP-AAAA-0001", email="amal@example.org"))

    detail = deliver(session, app, tmp_path)

    files = sorted((tmp_path / "notifications").glob("*.eml"))
    assert [f.suffix for f in files] == [".eml"]
    message = read_eml(files[0])
    assert message["To"] == "amal@example.org"
    assert "People's Priority" in message["Subject"]
    text = body(message)
    assert "Your reference: PP-AAAA-0001" in text
    assert "Tackle speeding on the High Street" in text
    assert "https://priorities.example.org/priorities/fenland-wisbech" in text
    assert "To stop hearing from us" in text
    stop = "".join(message["List-Unsubscribe"].split()).strip("<>")
    assert stop.startswith("https://priorities.example.org/stop-messages/")
    assert stop in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert detail["by"] == "outbox folder"
    assert detail["sent"] == 1
    assert states(session) == [("sent", 1)]
    sent_at = session.scalar(select(Notification.sent_at))
    assert sent_at == NOW


def test_a_second_run_sends_nothing_again(session: Session, app: Flask, tmp_path: Path) -> None:
    queue_priority(session, resident_concern())
    deliver(session, app, tmp_path)
    (tmp_path / "notifications").rename(tmp_path / "first-run")

    detail = deliver(session, app, tmp_path)

    assert detail["sent"] == 0
    assert not (tmp_path / "notifications").exists()
    assert states(session) == [("sent", 1)]


def test_with_smtp_each_resident_gets_one_email_with_only_their_own_details(
    session: Session, app: Flask, tmp_path: Path
) -> None:
    priority = queue_priority(
        session,
        resident_concern(reference="PP-AAAA-0001", email="amal@example.org", name="Amal Shah"),
        resident_concern(reference="PP-BBBB-0002", email="ben@example.org", name="Ben Cole"),
    )
    action = add_action(session, priority, description="Speed checks on three evenings")
    with write_transaction(session):
        enqueue_action_recorded(session, action, now=NOW)

    with SmtpSink() as sink:
        detail = deliver(session, app, tmp_path, smtp=sink_settings(sink))
        again = deliver(session, app, tmp_path, smtp=sink_settings(sink))

    assert (detail["by"], detail["sent"], again["sent"]) == ("e-mail", 4, 0)
    # The sink keeps one envelope list per connection, so read who each message is to.
    received = [email.message_from_bytes(raw) for _, _, raw in sink.messages]
    assert sorted(str(message["To"]) for message in received) == [
        "amal@example.org",
        "amal@example.org",
        "ben@example.org",
        "ben@example.org",
    ]
    for (sender, _, _), message in zip(sink.messages, received, strict=True):
        text = body(message) + str(message)
        assert sender == "priorities@example.org"
        mine, other = (
            ("PP-AAAA-0001", "PP-BBBB-0002")
            if message["To"] == "amal@example.org"
            else ("PP-BBBB-0002", "PP-AAAA-0001")
        )
        assert mine in text
        assert other not in text
        assert "Amal" not in text
        assert "Ben Cole" not in text
        assert "Cars racing" not in text
    actions = [body(m) for m in received if "What was done" in str(m["Subject"])]
    assert len(actions) == 2
    assert all("Speed checks on three evenings" in text for text in actions)
    assert not (tmp_path / "notifications").exists()
    assert states(session) == [("sent", 1)] * 4


def test_erased_contact_details_cancel_the_notification(
    session: Session, app: Flask, tmp_path: Path
) -> None:
    (kept, erased, withdrawn) = add_concerns(
        session, resident_concern(), resident_concern(), resident_concern()
    )
    priority = add_priority(session, add_meeting(session, add_panel(session)))
    with write_transaction(session):
        assert enqueue_priority_set(session, priority, now=NOW) == 3
    with write_transaction(session):
        session.execute(delete(ConcernContact).where(ConcernContact.concern_id == erased.id))
        session.execute(
            update(ConcernContact)
            .where(ConcernContact.concern_id == withdrawn.id)
            .values(consent_to_contact=False)
        )

    detail = deliver(session, app, tmp_path)

    assert (detail["sent"], detail["cancelled"]) == (1, 2)
    rows = {row.concern_id: row.state for row in session.execute(select(Notification)).scalars()}
    assert rows == {kept.id: "sent", erased.id: "cancelled", withdrawn.id: "cancelled"}
    assert len(list((tmp_path / "notifications").glob("*.eml"))) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_mail_server_keeps_the_message_and_fails_it_after_the_last_attempt(
    session: Session, app: Flask, tmp_path: Path
) -> None:
    queue_priority(session, resident_concern(), resident_concern())
    smtp = {"host": "127.0.0.1", "port": _closed_port(), "starttls": False}

    first = deliver(session, app, tmp_path, smtp=smtp, notification_max_attempts=2)
    after_first = states(session)
    second = deliver(session, app, tmp_path, smtp=smtp, notification_max_attempts=2)

    # The run stops at the first connection error: the second message is not attempted.
    assert after_first == [("pending", 1), ("pending", 0)]
    assert first["retrying"] == 1
    assert "could not reach the mail server" in first["stopped"]
    assert second["failed"] == 1
    assert states(session) == [("failed", 2), ("pending", 0)]
    error = session.scalar(select(Notification.last_error).order_by(Notification.id).limit(1))
    assert error == "ConnectionRefusedError: could not reach the mail server"
    assert second["queue"] == {"failed": 1, "pending": 1}

    with SmtpSink() as sink:
        deliver(session, app, tmp_path, smtp=sink_settings(sink), notification_max_attempts=2)
    assert len(sink.messages) == 1
    assert states(session) == [("failed", 2), ("sent", 1)]


def test_the_job_refuses_to_send_links_nowhere(
    session: Session, app: Flask, tmp_path: Path
) -> None:
    queue_priority(session, resident_concern())

    with pytest.raises(ValueError, match="ENGAGE_PUBLIC_URL"):
        deliver(session, app, tmp_path, public_url=None)

    assert states(session) == [("pending", 0)]


def test_the_scheduled_job_runs_at_every_firing_not_once_a_day(
    session: Session, app: Flask, tmp_path: Path
) -> None:
    catalogue = load_catalogue(Path(app.config["ENGAGE_CONFIG_DIR"]))
    spec = catalogue.get("deliver-notifications")
    assert (spec.grain, spec.period, spec.repeat, spec.cron) == (
        "day",
        "current",
        True,
        "*/15 * * * *",
    )
    job_settings = settings(app, tmp_path)

    queue_priority(session, resident_concern())
    first = run_named(
        session, catalogue, spec.name, None, job_settings, triggered_by="test", now=NOW
    )
    add_concerns(session, resident_concern())
    priority = session.scalars(select(Priority)).one()
    with write_transaction(session):
        enqueue_priority_set(session, priority, now=NOW)
    second = run_named(
        session, catalogue, spec.name, None, job_settings, triggered_by="test", now=NOW
    )

    assert (first.ran, second.ran) == (True, True)
    assert (first.run.rows, second.run.rows) == (1, 1)
    assert states(session) == [("sent", 1), ("sent", 1)]
