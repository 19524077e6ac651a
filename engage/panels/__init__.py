"""Staff pages for neighbourhood panels: the panel pack, meetings, priorities, actions, outcomes.

``register(app)`` adds the blueprint, its menu section, the overdue-reviews block on the
staff home page and the ``engage panels`` commands (called via ``engage.staff_areas``).
"""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("panels", __name__, url_prefix="/staff/panels")

# The commissioner's office runs the panels; analysts prepare the evidence; admins do both.
MANAGERS = ("commissioner_office", "analyst", "admin")
# Panel members read the packs and priorities of their own area (redacted text only).
READERS = (*MANAGERS, "panel")


def register(app: Flask) -> None:
    from engage.auth.navigation import HomePanel, Section, add_home_panel, add_section
    from engage.panels import commands, meeting_views, notification_views, pack_views, views
    from engage.panels.helpers import overdue_reviews_for_current_user

    del meeting_views, notification_views, pack_views, views  # routes register on import
    app.register_blueprint(blueprint)
    app.cli.add_command(commands.panels)
    app.add_template_global(overdue_reviews_for_current_user, "overdue_panel_reviews")
    add_section(
        app,
        Section(
            key="panels",
            label="Panels",
            endpoint="panels.index",
            roles=frozenset(READERS),
            order=35,
            description="Panel packs, meetings and the People's Priorities panels set",
        ),
    )
    add_home_panel(app, HomePanel("panels/_home_overdue.html", frozenset(READERS), 10))
