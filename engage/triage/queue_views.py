"""The triage queue: one tab per category, each with its count, oldest first."""

from __future__ import annotations

from flask import abort, render_template

from engage.auth.access import allow
from engage.extensions import db
from engage.triage import TRIAGE_ROLES, blueprint
from engage.triage.helpers import page_number, pagination, today
from engage.triage.quarantine import quarantine_reasons
from engage.triage.queue import CATEGORIES, CATEGORY_KEYS, count_queue, fetch_queue_page


@blueprint.get("/staff/triage", defaults={"category": "urgent"})
@blueprint.get("/staff/triage/<category>")
@allow(*TRIAGE_ROLES)
def queue(category: str) -> str:
    if category not in CATEGORY_KEYS:
        abort(404)
    session = db.session()
    day = today()
    counts = count_queue(session, day)
    results = fetch_queue_page(session, category, day, page=page_number())
    return render_template(
        "triage/queue.html",
        nav_active="triage",
        categories=CATEGORIES,
        current=next(c for c in CATEGORIES if c.key == category),
        counts=counts,
        results=results,
        held_reasons=quarantine_reasons(session, results.items),
        pagination=pagination("triage.queue", results.page, results.pages, category=category),
    )
