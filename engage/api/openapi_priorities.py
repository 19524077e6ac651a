"""The OpenAPI description of the open data endpoints: panels and their priorities."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ProblemResponse = Callable[[str], dict[str, Any]]

_SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The panel's slug, as listed by /api/v1/neighbourhoods.",
    "schema": {"type": "string", "examples": ["fenland-wisbech"]},
}
_PRIORITIES_DESCRIPTION = (
    "The panel's People's Priorities, newest first, in the shape data.police.uk uses for "
    "neighbourhood priorities. One object per priority: issue is the wording the panel "
    "agreed and issue-date the day it agreed it; action is the outcome once the priority "
    "has ended, otherwise the latest action recorded, and action-date its day; both are "
    "null while nothing has been done. Dates are Europe/London calendar days written as "
    "YYYY-MM-DDT00:00:00. Text is plain text, never HTML."
)


def priorities_paths(problem_response: ProblemResponse) -> dict[str, Any]:
    return {
        "/api/v1/neighbourhoods": {
            "get": {
                "operationId": "listNeighbourhoods",
                "summary": "Every neighbourhood panel (district-wide panels have no neighbourhood)",
                "responses": {
                    "200": {
                        "description": "The panels",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Neighbourhood"},
                                }
                            }
                        },
                    }
                },
            }
        },
        "/api/v1/neighbourhoods/{slug}/priorities": {
            "get": {
                "operationId": "getNeighbourhoodPriorities",
                "summary": "A panel's priorities and what was done (JSON)",
                "description": _PRIORITIES_DESCRIPTION,
                "parameters": [_SLUG],
                "responses": {
                    "200": {
                        "description": "The priorities (an empty array before any is agreed)",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/NeighbourhoodPriority"},
                                }
                            }
                        },
                    },
                    "404": problem_response("No panel has this slug"),
                },
            }
        },
        "/api/v1/neighbourhoods/{slug}/priorities.csv": {
            "get": {
                "operationId": "getNeighbourhoodPrioritiesCsv",
                "summary": "A panel's priorities and what was done (CSV)",
                "description": _PRIORITIES_DESCRIPTION
                + " The CSV has the same columns in the order issue, issue-date, action, "
                "action-date; it is UTF-8 with a byte order mark, and a cell that would start "
                "with = + - @, a tab or a carriage return starts with a single quote instead, "
                "so a spreadsheet never runs it as a formula.",
                "parameters": [_SLUG],
                "responses": {
                    "200": {
                        "description": "The priorities as CSV",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    "404": problem_response("No panel has this slug"),
                },
            }
        },
    }


def priorities_schemas() -> dict[str, Any]:
    nullable_text = {"type": ["string", "null"]}
    nullable_date = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}T00:00:00$"}
    return {
        "Neighbourhood": {
            "type": "object",
            "required": ["slug", "name", "district", "neighbourhood"],
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "district": {"type": "string", "description": "The district's id"},
                "neighbourhood": nullable_text,
            },
        },
        "NeighbourhoodPriority": {
            "type": "object",
            "required": ["issue", "issue-date", "action", "action-date"],
            "additionalProperties": False,
            "properties": {
                "issue": {"type": "string"},
                "issue-date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T00:00:00$"},
                "action": nullable_text,
                "action-date": nullable_date,
            },
        },
    }
