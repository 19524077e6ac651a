from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import form_answers
from tests.pages import Page

Send = Callable[..., TestResponse]


def send_form(client: FlaskClient, **answers: Any) -> TestResponse:
    """Open the form as a resident would, then post the answers with the hidden fields the
    page carries (its CSRF token and the signed time it was shown)."""
    hidden = Page.of(client.get("/").data).hidden_fields()
    carried = {name: hidden[name] for name in ("csrf_token", "form_token")}
    return client.post("/", data={**carried, **form_answers(**answers)})


@pytest.fixture
def send(client: FlaskClient) -> Send:
    return lambda **answers: send_form(client, **answers)


@pytest.fixture
def sqlite_send(sqlite_client: FlaskClient) -> Send:
    return lambda **answers: send_form(sqlite_client, **answers)
