"""The audit log, for admins: read-only. No route edits or deletes an event, and the
database refuses UPDATE and DELETE on the table by trigger."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from engage.auth.access import allow
from engage.extensions import db
from engage.services.audit import ACTIONS
from engage.triage import AUDIT_ROLES, blueprint
from engage.triage.helpers import error_list, label, page_number, pagination, query_values
from engage.triage.history import fetch_audit_page, fetch_people
from forms.triage import AuditLogFilterForm


@blueprint.get("/staff/triage/audit-log")
@allow(*AUDIT_ROLES)
def audit_log() -> str:
    session = db.session()
    form = AuditLogFilterForm(
        formdata=request.args,
        users=fetch_people(session),
        actions=[(a, label(a)) for a in ACTIONS],
    )
    searched = any(k in request.args for k in ("user", "action", "on_or_after", "on_or_before"))
    context: dict[str, Any] = {"entries": None, "pagination": None}
    if not searched or form.validate():
        found = fetch_audit_page(
            session,
            user_id=int(form.user.data) if form.user.data else None,
            action=form.action.data or None,
            on_or_after=form.on_or_after.data,
            on_or_before=form.on_or_before.data,
            page=page_number(),
        )
        context = {
            "entries": found,
            "pagination": pagination("triage.audit_log", found.page, found.pages, **query_values()),
        }
    return render_template(
        "triage/audit_log.html",
        nav_active="audit",
        form=form,
        errors=error_list(form) if form.errors else None,
        **context,
    )
