"""Admins' page listing job runs: when each started and ended, rows, outcome, detail.

``register(app)`` adds the blueprint and its menu section (called via ``engage.staff_areas``).
"""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("jobs_admin", __name__)

JOBS_ROLES = ("admin",)


def register(app: Flask) -> None:
    from engage.auth.navigation import Section, add_section
    from engage.jobs_admin import views

    del views  # routes register on import
    app.register_blueprint(blueprint)
    add_section(app, Section("jobs", "Jobs", "jobs_admin.runs", frozenset(JOBS_ROLES), 95))
