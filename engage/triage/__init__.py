"""Analysts' pages: the triage queue, a concern and its actions, search and export, audit log.

``register(app)`` adds the blueprint and its menu sections (called via ``engage.staff_areas``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

blueprint = Blueprint("triage", __name__)

TRIAGE_ROLES = ("analyst", "admin")
# Panel members search their own area (redacted text only) to prepare for panel meetings;
# the Commissioner's office reads every area the same way. Neither acts on a concern.
SEARCH_ROLES = ("analyst", "admin", "panel", "commissioner_office")
AUDIT_ROLES = ("admin",)


@blueprint.context_processor
def _template_helpers() -> dict[str, Any]:
    from engage.triage.helpers import template_helpers

    return template_helpers()


def register(app: Flask) -> None:
    from engage.auth.navigation import Section, add_section
    from engage.triage import audit_views, concern_views, queue_views, search_views

    del audit_views, concern_views, queue_views, search_views  # routes register on import
    app.register_blueprint(blueprint)
    add_section(app, Section("triage", "Triage", "triage.queue", frozenset(TRIAGE_ROLES), 20))
    add_section(app, Section("concerns", "Concerns", "triage.search", frozenset(SEARCH_ROLES), 30))
    add_section(app, Section("audit", "Audit log", "triage.audit_log", frozenset(AUDIT_ROLES), 90))
