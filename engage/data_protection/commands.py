"""``engage people ...``: a resident's subject access export and erasure from the command line.

Both are audited like the staff pages, as done by no member of staff (``user_id`` empty).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from engage.extensions import db
from engage.services.data_protection import (
    Person,
    PersonNotIdentified,
    erase_person,
    export_person,
    find_person,
)

people = AppGroup("people", help="A resident's records: subject access export and erasure.")

_email = click.option("--email", default=None, help="The email address they gave.")
_phone = click.option("--phone", default=None, help="The phone number they gave.")


def _person(email: str | None, phone: str | None) -> Person:
    try:
        return Person.of(email=email, phone=phone)
    except PersonNotIdentified as error:
        raise click.UsageError("Give --email or --phone (or both)") from error


@people.command("export")
@_email
@_phone
def export_command(email: str | None, phone: str | None) -> None:
    """Print everything held about the person as JSON (redirect it to a file)."""
    person = _person(email, phone)
    exported = export_person(db.session(), person, user_id=None, now=datetime.now(UTC))
    click.echo(json.dumps(exported, ensure_ascii=False, indent=2))
    click.echo(f"Exported {len(exported['concerns'])} concern(s).", err=True)


@people.command("erase")
@_email
@_phone
@click.option("--yes", is_flag=True, help="Erase without asking to confirm.")
def erase_command(email: str | None, phone: str | None, yes: bool) -> None:
    """Erase the person's contact details and words from every concern they gave them with."""
    person = _person(email, phone)
    session = db.session()
    found = find_person(session, person)
    if not found:
        click.echo(f"No concerns were sent with {person.describe()}: nothing to erase.")
        return
    references = ", ".join(c.reference for c in found)
    session.rollback()
    if not yes:
        click.confirm(f"Erase the personal data in {references}?", abort=True)
    erasure = erase_person(
        session,
        person,
        user_id=None,
        now=datetime.now(UTC),
        outbox_dir=Path(current_app.config["ENGAGE_OUTBOX_DIR"]),
    )
    click.echo(
        f"Erased personal data from {erasure.concerns} concern(s) ({references}): "
        f"{erasure.contacts_deleted} contact details deleted, "
        f"{erasure.quotes_deleted} published quote(s) withdrawn, "
        f"{erasure.notifications_cancelled} notification(s) cancelled, "
        f"{erasure.messages_deleted} outbox e-mail copy(ies) deleted."
    )
