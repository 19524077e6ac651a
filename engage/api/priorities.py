"""Open data: the neighbourhood panels, and each panel's People's Priorities in the shape
data.police.uk publishes neighbourhood priorities in, as JSON and as CSV.

One object per priority, newest first: ``issue`` is the wording agreed, ``issue-date`` the
day it was agreed; ``action`` is the outcome once the priority has ended (achieved,
carried over, closed) and otherwise the latest action recorded, ``action-date`` its day;
both are null while nothing has been done. Dates are written as data.police.uk writes them,
``YYYY-MM-DDT00:00:00`` (a Europe/London calendar day, no time zone). Text is plain text,
never HTML.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Response, jsonify

from engage.api import blueprint
from engage.auth.access import public
from engage.error_handlers import problem
from engage.extensions import db
from engage.repository import priorities as records
from engage.spreadsheet_safety import BOM, neutralise

COLUMNS = ("issue", "issue-date", "action", "action-date")


def open_data_date(day: date | None) -> str | None:
    return None if day is None else f"{day.isoformat()}T00:00:00"


@blueprint.get("/neighbourhoods")
@public
def neighbourhoods() -> Response:
    return _open_data(
        jsonify(
            [
                {
                    "slug": panel.slug,
                    "name": panel.name,
                    "district": panel.district,
                    "neighbourhood": panel.neighbourhood,
                }
                for panel in records.list_panels(db.session())
            ]
        )
    )


@blueprint.get("/neighbourhoods/<slug>/priorities")
@public
def neighbourhood_priorities(slug: str) -> Response:
    rows = _rows(slug)
    if rows is None:
        return _unknown()
    return _open_data(jsonify(rows))


@blueprint.get("/neighbourhoods/<slug>/priorities.csv")
@public
def neighbourhood_priorities_csv(slug: str) -> Response:
    rows = _rows(slug)
    if rows is None:
        return _unknown()
    response = Response(_csv(rows), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-priorities.csv"'
    return _open_data(response)


def _rows(slug: str) -> list[dict[str, Any]] | None:
    session = db.session()
    panel = records.find_panel(session, slug)
    if panel is None:
        return None
    return [
        {
            "issue": item.issue,
            "issue-date": open_data_date(item.issue_date),
            "action": item.action,
            "action-date": open_data_date(item.action_date),
        }
        for item in records.open_data_priorities(session, panel.id)
    ]


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([neutralise(row[column]) for column in COLUMNS] for row in rows)
    return BOM + buffer.getvalue()


def _open_data(response: Response) -> Response:
    """Open data any web page may read: public, and no credentials go with it."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _unknown() -> Response:
    return problem(
        404, "Not Found", "No neighbourhood panel has this slug: see /api/v1/neighbourhoods."
    )
