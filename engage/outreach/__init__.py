"""The Engagement Outreach Worker's pages: sessions, fast logging of concerns, file imports."""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint, Flask

blueprint = Blueprint("outreach", __name__, url_prefix="/staff/outreach")
# Who may open the outreach pages at all; each view narrows this further.
WORKERS = ("outreach", "admin")
READERS = ("outreach", "analyst", "admin")


def register(app: Flask) -> None:
    # The views register their routes on the blueprint when imported.
    for views in ("sessions", "concerns", "imports"):
        import_module(f"engage.outreach.{views}")
    from engage.auth.navigation import Section, add_section

    app.register_blueprint(blueprint)
    add_section(
        app,
        Section(
            key="outreach",
            label="Outreach",
            endpoint="outreach.sessions",
            roles=frozenset(READERS),
            order=10,
            description="Log outreach sessions and what people told you, or import paper forms",
        ),
    )
