"""``engage panels sync``: one panel for every district and neighbourhood in config/areas.yaml."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from engage.extensions import db
from engage.reference_data import reference_data
from engage.services import panels as panel_service

panels = AppGroup("panels", help="Neighbourhood panels.")


@panels.command("sync")
def sync() -> None:
    """Create the panels that are missing; running it again changes nothing."""
    created = panel_service.sync_panels(db.session(), reference_data().areas, now=datetime.now(UTC))
    for panel in created:
        click.echo(f"Created {panel.slug}: {panel.name}")
    click.echo(f"{len(created)} panel(s) created.")
