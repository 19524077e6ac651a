"""Searching concerns and exporting what a search found as CSV.

Panel members search only their district (or neighbourhood) and read only redacted text;
the scope is applied by the query, whatever filters are sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from flask import Response, abort, render_template, request, stream_with_context
from sqlalchemy import select

from engage.auth.access import allow
from engage.extensions import db
from engage.models import Concern
from engage.repository.concern_search import count_concerns, fetch_concern_page, iter_concerns_by_id
from engage.services import triage as actions
from engage.triage import SEARCH_ROLES, TRIAGE_ROLES, blueprint
from engage.triage.export_csv import ExportOptions, csv_lines
from engage.triage.helpers import (
    error_list,
    now,
    page_number,
    pagination,
    query_values,
    search_choices,
    staff,
    today,
)
from engage.triage.quarantine import quarantine_reasons
from forms.concern_search import ConcernSearchForm, ExportForm

_FILTER_FIELDS = (
    "district",
    "neighbourhood",
    "theme",
    "channel",
    "status",
    "urgency",
    "submitted_from",
    "submitted_to",
    "contains",
)


def _search_form() -> ConcernSearchForm:
    """The search form for this person: a panel member is offered only their own area."""
    choices = search_choices()
    user = staff()
    if user.role == "panel":
        choices["districts"] = [d for d in choices["districts"] if d[0] == user.district_scope]
        choices["neighbourhoods"] = [
            n
            for n in choices["neighbourhoods"]
            if n[0] == user.district_scope
            and (user.neighbourhood_scope is None or n[1] == user.neighbourhood_scope)
        ]
    return ConcernSearchForm(formdata=request.args, **choices)


def _validated(form: ConcernSearchForm) -> bool:
    searched = any(key in request.args for key in _FILTER_FIELDS)
    return form.validate() if searched else True


@blueprint.get("/staff/concerns")
@allow(*SEARCH_ROLES)
def search() -> str:
    form = _search_form()
    user = staff()
    context: dict[str, Any] = {"results": None, "pagination": None, "held_reasons": {}}
    if _validated(form):
        session = db.session()
        results = fetch_concern_page(
            session, form.filters(), actions.scope_for(user), page=page_number()
        )
        context = {
            "results": results,
            "held_reasons": quarantine_reasons(session, results.items),
            "pagination": pagination(
                "triage.search", results.page, results.pages, **query_values()
            ),
        }
    return render_template(
        "triage/search.html",
        nav_active="concerns",
        form=form,
        errors=error_list(form) if form.errors else None,
        can_triage=user.role in TRIAGE_ROLES,
        export_query=query_values(),
        **context,
    )


@blueprint.get("/staff/concerns/export")
@allow(*SEARCH_ROLES)
def export_start() -> Any:
    form = _search_form()
    if not _validated(form):
        abort(400)
    user = staff()
    rows = count_concerns(db.session(), form.filters(), actions.scope_for(user))
    return render_template(
        "triage/export.html",
        nav_active="concerns",
        export_form=ExportForm(formdata=None),
        filters=form.filters().as_dict(),
        rows=rows,
        may_see_personal_data=user.role in actions.PERSONAL_DATA_ROLES,
        export_query=query_values(),
    )


@blueprint.post("/staff/concerns/export")
@allow(*SEARCH_ROLES)
def export_download() -> Response:
    form = _search_form()
    export_form = ExportForm()
    if not _validated(form) or not export_form.validate():
        abort(400)
    options = ExportOptions(
        include_original=bool(export_form.include_original.data),
        include_contact=bool(export_form.include_contact.data),
    )
    session = db.session()
    try:
        ids = actions.start_export(
            session, form.filters(), user=staff(), options=options, now=now()
        )
    except actions.TriageRefused:
        abort(403)

    @cache
    def reference_of(concern_id: int) -> str:
        return session.scalar(select(Concern.reference).where(Concern.id == concern_id)) or ""

    def generate() -> Iterator[str]:
        concerns = iter_concerns_by_id(session, ids, with_contact=options.include_contact)
        yield from csv_lines(concerns, options, reference_of)
        session.rollback()

    filename = f"concerns-{today().isoformat()}.csv"
    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
