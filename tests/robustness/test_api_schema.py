"""The API against its own OpenAPI description, with schemathesis: requests generated from
/api/v1/openapi.json, valid and invalid, answered without a server error, every answer
matching the status codes, media types and bodies the description promises, and requests
that break the schema refused.

One check is left out: schemathesis's "schema-valid data must be accepted". The API has
rules a JSON Schema cannot state (a district may come from the place instead; length is
counted without surrounding spaces; contact details need consent; control codes are
refused), so a schema-valid body can rightly get a 422 that names the field.

schemathesis's pytest plugin (``from_fixture``/``parametrize``) fails under pytest 9, so the
test walks the operations itself and hands each one's strategy to Hypothesis.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from engage.extensions import db
from tests.conftest import make_test_app
from tests.panel_records import add_action, add_meeting, add_panel, add_priority

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

EXAMPLES = 25


def seed_a_panel(app: Flask) -> dict[str, str]:
    """A panel with a priority and an action, so the priorities operations have something
    to describe; and a stored concern, so the status operation finds one."""
    with app.app_context():
        session = db.session()
        meeting = add_meeting(session, add_panel(session))
        add_action(session, add_priority(session, meeting))
        db.session.remove()
    client = app.test_client()
    concern = client.post("/api/v1/concerns", json={"text": "Speeding", "district": "fenland"})
    neighbourhoods = client.get("/api/v1/neighbourhoods").json
    assert concern.json is not None
    assert neighbourhoods
    return {"slug": neighbourhoods[0]["slug"], "reference": concern.json["reference"]}


def run_cases(strategy: Any, label: str, answered: Counter[tuple[str, int]]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=strategy)
    def keeps_its_promises(case: Any) -> None:
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        answered[(label, response.status_code)] += 1

    keeps_its_promises()


def test_the_api_keeps_the_promises_of_its_openapi_description(fuzz_app: Flask) -> None:
    known = seed_a_panel(fuzz_app)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "the OpenAPI description has an invalid operation"
    assert {op.label for op in operations} >= {
        "POST /api/v1/concerns",
        "GET /api/v1/concerns/{reference}",
    }
    answered: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        real = {name: known[name] for name in known if "{" + name + "}" in operation.path}
        variants = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        if real:
            variants.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))
        for strategy in variants:
            try:
                run_cases(strategy, operation.label, answered)
            except Unsatisfiable:
                # Only for invalid requests where the schema leaves nothing to break (no
                # inputs, or a free-form string in the path).
                assert strategy is variants[1], f"no valid request for {operation.label}"
    # The real records were found, so success bodies were checked against the schema too.
    assert answered[("GET /api/v1/concerns/{reference}", 200)]
    assert answered[("GET /api/v1/neighbourhoods/{slug}/priorities", 200)]
    print(f"\nschemathesis: {dict(sorted(answered.items()))}")


def test_a_refusal_for_sending_too_often_is_described_too(
    database_url: str, tmp_path: Path
) -> None:
    """With the real rate limit on (and set low), the 429 answers conform as well."""
    app = make_test_app(
        database_url,
        ENGAGE_MODEL_DIR=tmp_path / "models",
        WTF_CSRF_ENABLED=False,
        ENGAGE_SUBMIT_RATE_LIMIT="2 per minute",
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    submit = schema.find_operation_by_label("POST /api/v1/concerns")
    assert submit is not None
    answered: Counter[tuple[str, int]] = Counter()
    run_cases(submit.as_strategy(GenerationMode.POSITIVE), submit.label, answered)
    assert answered[(submit.label, 429)]
