"""Settings by environment; production refuses to start without its secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from engage import create_app
from engage.settings import ConfigurationError, Development, Production, settings_for


def test_production_refuses_to_start_without_a_secret_key_or_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ENGAGE_SECRET_KEY", raising=False)
    monkeypatch.delenv("ENGAGE_DATABASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="ENGAGE_SECRET_KEY, ENGAGE_DATABASE_URL"):
        create_app(Production)


def test_production_refuses_a_short_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "too-short")
    monkeypatch.setenv("ENGAGE_DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        create_app(Production)


def test_production_starts_with_its_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("ENGAGE_DATABASE_URL", "sqlite://")
    app = create_app(Production)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_generates_a_secret_once_into_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENGAGE_SECRET_KEY", raising=False)
    first = Development.finalise(tmp_path)
    second = Development.finalise(tmp_path)

    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(str(first["SECRET_KEY"])) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert str(first["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite:///")


def test_an_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="use one of"):
        settings_for("staging-ish")
