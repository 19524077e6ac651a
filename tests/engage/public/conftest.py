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
    """Open the form as a resident would, then post the answers with its CSRF token."""
    token = Page.of(client.get("/").data).csrf_token()
    return client.post("/", data={"csrf_token": token, **form_answers(**answers)})


@pytest.fixture
def send(client: FlaskClient) -> Send:
    return lambda **answers: send_form(client, **answers)


@pytest.fixture
def sqlite_send(sqlite_client: FlaskClient) -> Send:
    return lambda **answers: send_form(sqlite_client, **answers)
