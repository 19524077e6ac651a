"""Double submits arriving at the same moment, against a live server with real threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from flask import Flask
from sqlalchemy import func, select

from engage.extensions import db
from engage.models import Concern
from tests.conftest import LiveServer

BODY = {"text": "Drug dealing outside the Co-op on Lincoln Road", "district": "peterborough"}


def count(app: Flask) -> int:
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Concern))
        db.session.remove()
        return int(total or 0)


def test_the_same_idempotency_key_sent_at_once_stores_one_concern(
    app: Flask, live_server: LiveServer
) -> None:
    def submit(_: int) -> tuple[int, str]:
        response = requests.post(
            f"{live_server.url}/api/v1/concerns",
            json=BODY,
            headers={"Idempotency-Key": "double-submit-0001"},
            timeout=30,
        )
        return response.status_code, response.json()["reference"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(submit, range(16)))

    assert {reference for _, reference in results} == {results[0][1]}
    assert sorted(status for status, _ in results).count(201) == 1
    assert count(app) == 1


def test_many_writers_at_once_all_succeed(app: Flask, live_server: LiveServer) -> None:
    def submit(n: int) -> int:
        response = requests.post(
            f"{live_server.url}/api/v1/concerns",
            json={**BODY, "text": f"Concern number {n} about parking"},
            timeout=30,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(submit, range(40)))

    assert statuses == [201] * 40
    assert count(app) == 40
