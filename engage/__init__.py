"""Engage: the People's Priorities service. ``create_app`` builds the Flask app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from engage.database import configure_engine, engine_options
from engage.extensions import (
    csrf,
    db,
    limiter,
    limiter_storage_options,
    login_manager,
    trust_proxies,
    wtforms_helpers,
)
from engage.settings import Settings, settings_for


def create_app(settings: type[Settings] | None = None, **overrides: Any) -> Flask:
    """Build the app; ``overrides`` win over the settings class (tests use them)."""
    app = Flask(__name__, static_url_path="/assets", instance_relative_config=True)
    settings = settings or settings_for()
    app.config.from_mapping(settings.finalise(Path(app.instance_path)))
    app.config.from_mapping(overrides)

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("engage"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    csrf.init_app(app)
    wtforms_helpers.init_app(app)
    login_manager.init_app(app)
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS",
        limiter_storage_options(app.config["RATELIMIT_STORAGE_URI"]),
    )
    limiter.init_app(app)
    trust_proxies(app)

    from engage import api, health, public
    from engage.auth.access import register_access_check
    from engage.auth.navigation import register_navigation
    from engage.auth.session import register_user_loader
    from engage.error_handlers import register_error_handlers
    from engage.reference_data import register_reference_data
    from engage.security_headers import register_security_headers
    from engage.staff_areas import register_staff_areas
    from engage.template_globals import register_template_globals

    register_reference_data(app)
    register_template_globals(app)
    register_security_headers(app)
    app.register_blueprint(public.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(health.blueprint)
    csrf.exempt(api.blueprint)
    register_error_handlers(app)
    register_access_check(app)
    register_navigation(app)
    register_user_loader(app)
    register_staff_areas(app)

    from engage.classification import register_classification

    register_classification(app)
    return app
