"""Admins' data protection pages: a resident's subject access export and erasure.

``register(app)`` adds the blueprint, its menu section and the ``engage people`` commands
(called via ``engage.staff_areas``).
"""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("data_protection", __name__, url_prefix="/staff/data-protection")

DATA_PROTECTION_ROLES = ("admin",)


def register(app: Flask) -> None:
    from engage.auth.navigation import Section, add_section
    from engage.data_protection import views
    from engage.data_protection.commands import people

    del views  # routes register on import
    app.register_blueprint(blueprint)
    app.cli.add_command(people)
    add_section(
        app,
        Section(
            "data_protection",
            "Data protection",
            "data_protection.start",
            frozenset(DATA_PROTECTION_ROLES),
            92,
            "Export or erase one resident's records when they ask",
        ),
    )
