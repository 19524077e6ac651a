"""Fixtures: the app on each database, a client, clean tables after each test, a live server.

Every database test runs on SQLite and on PostgreSQL. SQLite tests get a
fresh copy of a migrated file; PostgreSQL tests share one schema, emptied after each
test. The PostgreSQL half needs
ENGAGE_TEST_DATABASE_URL (``.ci/run`` sets it); without it those tests skip, saying how
to enable them, unless ENGAGE_REQUIRE_POSTGRESQL=1 (CI) turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

# Loaded before any test freezes the clock: psycopg's compiled part, first imported under
# freezegun's fake datetime classes, warns that datetime.date changed size, and warnings
# are errors here. So a PostgreSQL test that freezes time can also run on its own.
import psycopg  # noqa: F401
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, make_server

from engage import create_app
from engage.migrate import upgrade
from engage.models import Base
from engage.settings import Test

POSTGRES_ENV = "ENGAGE_TEST_DATABASE_URL"
POSTGRES_HOW = (
    f"PostgreSQL tests skipped: set {POSTGRES_ENV}="
    "postgresql+psycopg://postgres@127.0.0.1:5432/test to run them"
)


def _require(flag: str) -> bool:
    return os.environ.get(flag, "") == "1"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets its own copy, so tests never share rows."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "engage-test.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgresql_schema_url() -> Iterator[str]:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if _require("ENGAGE_REQUIRE_POSTGRESQL"):
            pytest.fail(f"{POSTGRES_ENV} is not set but ENGAGE_REQUIRE_POSTGRESQL=1")
        pytest.skip(POSTGRES_HOW)
    schema = f"engage_test_{uuid.uuid4().hex[:10]}"
    # Pre-ping: a robustness test restarts PostgreSQL mid-session; the drop at the end must
    # not reuse a connection the restart cut.
    admin = create_engine(base, pool_pre_ping=True)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        pytest.fail(f"Cannot reach the PostgreSQL server at {POSTGRES_ENV}: {error}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    yield rendered
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def postgresql_url(postgresql_schema_url: str) -> Iterator[str]:
    """The shared test schema, emptied after each test (TRUNCATE skips row triggers)."""
    yield postgresql_schema_url
    engine = create_engine(postgresql_schema_url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


_apps_to_release: list[Flask] = []


def make_test_app(database_url: str, **overrides: object) -> Flask:
    """An app on the given database; its connections are closed after the test."""
    application = create_app(Test, SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    _apps_to_release.append(application)
    return application


@pytest.fixture(autouse=True)
def _close_connections_after_each_test() -> Iterator[None]:
    yield
    while _apps_to_release:
        _release(_apps_to_release.pop())


def _release(app: Flask) -> None:
    from engage.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on each database, with no theme model (tests that need one build it)."""
    application = make_test_app(database_url, ENGAGE_MODEL_DIR=tmp_path / "models")
    yield application
    _release(application)


@pytest.fixture
def sqlite_app(sqlite_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on SQLite only, for tests about pages and forms rather than storage."""
    application = make_test_app(sqlite_url, ENGAGE_MODEL_DIR=tmp_path / "models")
    yield application
    _release(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sqlite_client(sqlite_app: Flask) -> FlaskClient:
    return sqlite_app.test_client()


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server
