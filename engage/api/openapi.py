"""The OpenAPI 3.1 description of ``/api/v1``, built from the same config as the form."""

from __future__ import annotations

from typing import Any

from engage.api.openapi_priorities import priorities_paths, priorities_schemas
from engage.reference_data import reference_data
from forms.concern import CONCERN_QUESTION, PLACE_MAX, TEXT_MAX, TEXT_MIN


def openapi_document() -> dict[str, Any]:
    data = reference_data()

    def problem_response(text: str) -> dict[str, Any]:
        return {
            "description": text,
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }

    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{data.service.service_name} API",
            "version": "1.0.0",
            "description": (
                "Submit residents' policing concerns from other channels (kiosks, partner "
                "sites), and read the People's Priorities neighbourhood panels agreed and "
                "what was done about them (open data, JSON or CSV). Not for reporting crime: "
                "in an emergency call 999, otherwise 101."
            ),
        },
        "paths": {
            "/api/v1/concerns": {
                "post": {
                    "operationId": "createConcern",
                    "summary": "Submit a concern",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": (
                                "A unique key per concern. Resending the same body with the "
                                "same key returns the first reference (200) and stores nothing "
                                "new; a different body with a used key is refused (422)."
                            ),
                            "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{8,128}$"},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ConcernSubmission"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Stored; the body carries the reference",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ConcernReceipt"}
                                }
                            },
                        },
                        "200": {
                            "description": "Already stored under this Idempotency-Key",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ConcernReceipt"}
                                }
                            },
                        },
                        "400": problem_response("Malformed JSON or Idempotency-Key"),
                        "413": problem_response("Body larger than the service accepts"),
                        "415": problem_response("Body is not JSON"),
                        "422": problem_response("Invalid fields, each named in errors"),
                        "429": {
                            **problem_response("Too many concerns from this address"),
                            "headers": {
                                "Retry-After": {
                                    "description": "Seconds to wait before sending again",
                                    "schema": {"type": "integer", "minimum": 0},
                                }
                            },
                        },
                    },
                }
            },
            "/api/v1/form-token": {
                "get": {
                    "operationId": "getFormToken",
                    "summary": "A token for a client that shows its own form to people",
                    "description": (
                        "Fetch one when the form is shown and send it back as form_token with "
                        "the concern: a concern sent sooner than min_seconds after is held "
                        "for staff to check (never refused). Without a token there is no "
                        "timing check."
                    ),
                    "responses": {
                        "200": {
                            "description": "A signed token holding the time it was issued",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/FormToken"}
                                }
                            },
                        }
                    },
                }
            },
            "/api/v1/concerns/{reference}": {
                "get": {
                    "operationId": "getConcernStatus",
                    "summary": "The status of a concern (no text, no personal data)",
                    "parameters": [
                        {
                            "name": "reference",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "examples": ["PP-7K3F-9QXD"]},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "Found",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ConcernStatus"}
                                }
                            },
                        },
                        "404": problem_response("No concern has this reference"),
                    },
                }
            },
            **priorities_paths(problem_response),
        },
        "components": {
            "schemas": {
                **priorities_schemas(),
                "ConcernSubmission": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["text"],
                    "anyOf": [{"required": ["district"]}, {"required": ["place"]}],
                    "properties": {
                        "text": {
                            "type": "string",
                            "minLength": TEXT_MIN,
                            "maxLength": TEXT_MAX,
                            "description": CONCERN_QUESTION,
                        },
                        "district": {
                            "type": "string",
                            "enum": [d.id for d in data.areas.districts],
                            "description": "Required unless place names a neighbourhood or "
                            "postcode that lies in one district.",
                        },
                        "place": {"type": "string", "maxLength": PLACE_MAX},
                        "impact": {"type": "string", "maxLength": TEXT_MAX},
                        "dealing_with_concerns": {
                            "type": "string",
                            "enum": [c.id for c in data.intake.dealing_with_concerns],
                        },
                        "age_band": {
                            "type": "string",
                            "enum": [c.id for c in data.intake.age_bands],
                        },
                        "contact_name": {"type": "string", "maxLength": 200},
                        "contact_email": {"type": "string", "format": "email"},
                        "contact_phone": {"type": "string"},
                        "consent_to_contact": {
                            "type": "boolean",
                            "description": "Must be true when any contact detail is given.",
                        },
                        "website": {
                            "type": "string",
                            "description": "A form's hidden spam trap, passed on as it came: "
                            "people leave it empty.",
                        },
                        "form_token": {
                            "type": "string",
                            "description": "The token from GET /api/v1/form-token, fetched "
                            "when the form was shown.",
                        },
                    },
                },
                "FormToken": {
                    "type": "object",
                    "required": ["form_token", "min_seconds"],
                    "properties": {
                        "form_token": {"type": "string"},
                        "min_seconds": {"type": "number", "minimum": 0},
                    },
                },
                "ConcernReceipt": {
                    "type": "object",
                    "required": ["reference", "submitted_at", "district", "urgent"],
                    "properties": {
                        "reference": {"type": "string"},
                        "submitted_at": {"type": "string", "format": "date-time"},
                        "district": {"type": "string"},
                        "urgent": {"type": "boolean"},
                        "theme": {
                            "type": ["string", "null"],
                            "description": "The theme understood, when the model is sure of"
                            " it; null until the concern is classified, which may be just"
                            " after this answer (see the concern's status)",
                        },
                        "advice": {"type": "object"},
                    },
                },
                "ConcernStatus": {
                    "type": "object",
                    "properties": {
                        "reference": {"type": "string"},
                        "submitted_at": {"type": "string", "format": "date-time"},
                        "district": {"type": "string"},
                        "status": {"type": "string"},
                        "theme": {"type": ["string", "null"]},
                    },
                },
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": "string"},
                                    "detail": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            }
        },
    }
