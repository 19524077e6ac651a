"""Reports for the commissioner's office: the dashboard and the digests in the outbox.

``register(app)`` adds the blueprint and its menu section (called via ``engage.staff_areas``).
The digest files themselves are written by the scheduler (``jobs.digest``) with
``engage.reports.rendering``, which needs no Flask.
"""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("reports", __name__)

REPORT_ROLES = ("commissioner_office", "admin", "analyst")


def register(app: Flask) -> None:
    from engage.auth.navigation import Section, add_section
    from engage.reports import views

    del views  # routes register on import
    app.register_blueprint(blueprint)
    add_section(
        app, Section("reports", "Reports", "reports.dashboard", frozenset(REPORT_ROLES), 40)
    )
