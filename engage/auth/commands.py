"""``engage users ...``: staff accounts from the command line, and the first admin."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from engage.auth.errors import AccountError
from engage.extensions import db
from engage.models import ROLES
from engage.reference_data import reference_data
from engage.repository import users as user_records
from engage.services import accounts

users = AppGroup("users", help="Staff accounts.")

DEFAULT_ADMIN_EMAIL = "admin@example.org"


def _one_time_password_box(title: str, email: str, password: str) -> str:
    lines = [
        title,
        "",
        f"  Email address:      {email}",
        f"  One-time password:  {password}",
        "",
        "Shown once only. Sign in at /staff/sign-in and choose a new password.",
    ]
    width = max(len(line) for line in lines) + 4
    border = "+" + "-" * (width - 2) + "+"
    body = [f"| {line.ljust(width - 4)} |" for line in lines]
    return "\n".join([border, *body, border])


@users.command("create")
@click.option("--email", required=True, help="The address they sign in with.")
@click.option("--name", required=True, help="Their full name.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--district", default=None, help="Panel members: the district id they see.")
@click.option("--neighbourhood", default=None, help="Panel members: one neighbourhood of it.")
def create(
    email: str, name: str, role: str, district: str | None, neighbourhood: str | None
) -> None:
    """Add a staff account and print its one-time password (shown once)."""
    areas = reference_data().areas
    if district and areas.district(district) is None:
        known = ", ".join(d.id for d in areas.districts)
        raise click.ClickException(f"Unknown district {district!r}: use one of {known}")
    try:
        user, password = accounts.create_account(
            db.session(),
            actor_id=None,
            email=email,
            name=name,
            role=role,
            district=district,
            neighbourhood=neighbourhood,
            areas=areas,
        )
    except AccountError as error:
        raise click.ClickException(error.message) from error
    click.echo(_one_time_password_box(f"Account added: {user.name} ({role})", user.email, password))


@users.command("list")
def list_accounts() -> None:
    """Everyone with an account: email, role, scope, status."""
    for user in user_records.list_users(db.session()):
        scope = "/".join(s for s in (user.district_scope, user.neighbourhood_scope) if s)
        status = "active" if user.active else "deactivated"
        if user.active and user.must_change_password:
            status = "must change password"
        click.echo(
            "\t".join(
                [
                    user.email,
                    user.name,
                    user.role,
                    scope or "-",
                    status,
                    "2FA on" if user.totp_secret else "2FA off",
                ]
            )
        )


@users.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """Give EMAIL a new one-time password and sign them out everywhere."""
    user = user_records.fetch_user_by_email(db.session(), email)
    if user is None:
        raise click.ClickException(f"No staff account uses {email}")
    user, password = accounts.reset_password(db.session(), actor_id=None, user_id=user.id)
    click.echo(_one_time_password_box(f"Password reset: {user.name}", user.email, password))


@users.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop EMAIL signing in (their records are kept)."""
    user = user_records.fetch_user_by_email(db.session(), email)
    if user is None:
        raise click.ClickException(f"No staff account uses {email}")
    try:
        accounts.set_active(db.session(), actor_id=None, user_id=user.id, active=False)
    except AccountError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"{user.email} can no longer sign in.")


@users.command("ensure-admin")
@click.option(
    "--email", default=DEFAULT_ADMIN_EMAIL, envvar="ENGAGE_ADMIN_EMAIL", show_default=True
)
@click.option("--name", default="Administrator", show_default=True)
def ensure_admin(email: str, name: str) -> None:
    """Create the first admin when there are no accounts at all; otherwise say nothing."""
    try:
        created = accounts.ensure_first_admin(
            db.session(), email=email, name=name, areas=reference_data().areas
        )
    except AccountError as error:
        raise click.ClickException(error.message) from error
    if created is None:
        return
    user, password = created
    click.echo(
        _one_time_password_box(
            "First admin account created (there were no staff accounts)", user.email, password
        )
    )
