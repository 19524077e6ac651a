"""Staff sign-in and who may use which page."""

from __future__ import annotations

from flask import Blueprint, Flask

from engage.models import ROLES

blueprint = Blueprint("auth", __name__, url_prefix="/staff")


def register(app: Flask) -> None:
    from engage.auth import account_views, admin_views, views  # noqa: F401  (routes)
    from engage.auth.navigation import Section, add_section
    from engage.auth.session import register_session_rules

    app.register_blueprint(blueprint)
    register_session_rules(app)
    add_section(
        app,
        Section(
            key="home",
            label="Home",
            endpoint="auth.staff_home",
            roles=frozenset(ROLES),
            order=0,
            description="The sections you can use",
        ),
    )
    add_section(
        app,
        Section(
            key="users",
            label="Staff accounts",
            endpoint="auth.users",
            roles=frozenset({"admin"}),
            order=90,
            description="Add staff, reset passwords, change roles and panel areas",
        ),
    )
