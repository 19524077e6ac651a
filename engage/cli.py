"""The ``engage`` command: database, serving, the classifier, and jobs run by hand."""

from __future__ import annotations

from importlib import import_module

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from engage import create_app
from engage import migrate as migrations

# The classifier's commands import scikit-learn and spaCy: load them only when asked for,
# so `engage serve` and every other command start in well under a second.
_LAZY_COMMANDS = {name: ("classifiers.cli", name) for name in ("train", "evaluate", "classify")}


class EngageGroup(FlaskGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS:
            module, attribute = _LAZY_COMMANDS[cmd_name]
            command: click.Command = getattr(import_module(module), attribute)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=EngageGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Engage: People's Priorities."""


@main.group()
def db() -> None:
    """Database migrations."""


def _url() -> str:
    url: str = current_app.config["SQLALCHEMY_DATABASE_URI"]
    return url


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to REVISION."""
    migrations.upgrade(_url(), revision)
    click.echo(f"Database at {', '.join(sorted(migrations.current_heads(_url()))) or 'base'}.")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Take the database schema back to REVISION (``base`` empties it)."""
    migrations.downgrade(_url(), revision)
    click.echo(f"Database at {', '.join(sorted(migrations.current_heads(_url()))) or 'base'}.")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=int, help="worker processes  [default: two a core]")
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=int,
    help="threads a worker: 1 gives sync workers (behind a buffering proxy), more gthread",
)
def serve(host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the app with gunicorn (the production server, also for local use)."""
    from engage.server import default_workers
    from engage.server import serve as run_server

    run_server(host=host, port=port, workers=workers or default_workers(), threads=threads)


@main.command("classify-pending")
@click.option("--batch-size", default=500, show_default=True, type=int)
@with_appcontext
def classify_pending_command(batch_size: int) -> None:
    """Classify every concern stored without a theme (the model was down when it came in)."""
    from classifiers.service import ModelUnavailable, ThemeClassifier
    from engage.classification import loader
    from engage.extensions import db as database
    from engage.services.classification import classify_pending

    try:
        classifier = ThemeClassifier.load(loader().model_dir)
    except ModelUnavailable as error:
        raise click.ClickException(str(error)) from error
    done = classify_pending(
        database.session(), classifier, loader().redactor(), batch_size=batch_size
    )
    click.echo(f"Classified {done} concern(s).")


from engage import jobs_cli as _jobs_cli  # noqa: E402
from engage.auth.commands import users as _users_commands  # noqa: E402

main.add_command(_users_commands)
main.add_command(_jobs_cli.jobs)
main.add_command(_jobs_cli.scheduler_command)
main.add_command(_jobs_cli.demo_data_command)
