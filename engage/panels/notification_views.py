"""Notifications owed to residents that could not be sent: seen by the office, sent again."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from engage.auth.access import allow
from engage.extensions import db
from engage.london_time import LONDON
from engage.panels import MANAGERS, blueprint
from engage.panels.helpers import now, staff
from engage.repository.notification_queue import failed_notifications, queue_counts
from engage.services import notification_queue
from engage.triage import TRIAGE_ROLES


@blueprint.get("/notifications")
@allow(*MANAGERS)
def notifications() -> str:
    session = db.session()
    counts = queue_counts(session)
    failed = failed_notifications(session)
    session.rollback()
    return render_template(
        "panels/notifications.html",
        counts=counts,
        failed=failed,
        may_open_concerns=staff().role in TRIAGE_ROLES,
        london=LONDON,
        nav_active="panels",
    )


@blueprint.post("/notifications/<int:notification_id>/send-again")
@allow(*MANAGERS)
def send_again(notification_id: int) -> Response:
    if notification_queue.send_again(db.session(), notification_id, user_id=staff().id, now=now()):
        flash(
            "It will be sent again on the next delivery run if the "
            "resident's contact details and consent are still held.",
            "success",
        )
    else:
        flash("That message is no longer waiting to be sent again: this list is up to date.")
    return redirect(url_for("panels.notifications"), code=303)
