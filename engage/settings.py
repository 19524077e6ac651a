"""Settings classes, chosen by the ENGAGE_ENV environment variable.

Secrets only ever come from the environment; the embedded development default generates
a secret key once into ``instance/`` so a newcomer needs no set-up.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The service was asked to start with settings it cannot run safely with."""


class Settings:
    ENV = "base"
    TESTING = False
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    WTF_CSRF_TIME_LIMIT = 2 * 60 * 60
    # A concern is at most 2,000 characters; 64 KiB leaves room for every field in any
    # script (4 bytes a character) while refusing anything that is not a form.
    MAX_CONTENT_LENGTH = 64 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    ENGAGE_CONFIG_DIR = PROJECT_ROOT / "config"
    ENGAGE_MODEL_DIR = Path(
        os.environ.get("ENGAGE_MODEL_DIR", PROJECT_ROOT / "instance" / "models")
    )
    ENGAGE_CLASSIFY_INLINE = True
    RATELIMIT_STORAGE_URI = os.environ.get("ENGAGE_RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    PERMANENT_SESSION_LIFETIME = 8 * 60 * 60
    # Staff sessions end after this many minutes without a request.
    ENGAGE_STAFF_IDLE_MINUTES = 30
    ENGAGE_OUTBOX_DIR = Path(
        os.environ.get("ENGAGE_OUTBOX_DIR", PROJECT_ROOT / "instance" / "outbox")
    )
    # An installed spaCy pipeline with NER (package name or path) to redact personal names.
    ENGAGE_NER_MODEL: str | None = None
    ENGAGE_ONLINE_CRIME_REPORTING_URL = "https://www.cambs.police.uk/ro/report/"
    ENGAGE_EXIT_PAGE_URL = "https://www.bbc.co.uk/weather"

    @classmethod
    def finalise(cls, instance_path: Path) -> dict[str, object]:
        """Return the settings as a mapping, filling in what depends on the environment."""
        values = {name: getattr(cls, name) for name in dir(cls) if name.isupper()}
        values["SECRET_KEY"] = os.environ.get("ENGAGE_SECRET_KEY") or values["SECRET_KEY"]
        values["SQLALCHEMY_DATABASE_URI"] = (
            os.environ.get("ENGAGE_DATABASE_URL") or values["SQLALCHEMY_DATABASE_URI"]
        )
        if "ENGAGE_CLASSIFY_INLINE" in os.environ:
            values["ENGAGE_CLASSIFY_INLINE"] = os.environ["ENGAGE_CLASSIFY_INLINE"] != "0"
        # Digest e-mail is off unless ENGAGE_SMTP_HOST (and friends) are set.
        from jobs.digest_mail import smtp_settings_from_environ

        values["ENGAGE_SMTP"] = smtp_settings_from_environ(os.environ)
        if "ENGAGE_NER_MODEL" in os.environ:
            values["ENGAGE_NER_MODEL"] = os.environ["ENGAGE_NER_MODEL"]
        return values


class Development(Settings):
    ENV = "development"

    @classmethod
    def finalise(cls, instance_path: Path) -> dict[str, object]:
        values = super().finalise(instance_path)
        instance_path.mkdir(parents=True, exist_ok=True)
        if not values["SECRET_KEY"]:
            values["SECRET_KEY"] = _instance_secret(instance_path / "secret_key")
        if not values["SQLALCHEMY_DATABASE_URI"]:
            values["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'engage.sqlite3'}"
        return values


class Test(Settings):
    ENV = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - tests only
    ENGAGE_CLASSIFY_INLINE = False


class Production(Settings):
    ENV = "production"
    SESSION_COOKIE_SECURE = True

    @classmethod
    def finalise(cls, instance_path: Path) -> dict[str, object]:
        values = super().finalise(instance_path)
        missing = [
            name
            for name, key in (
                ("ENGAGE_SECRET_KEY", "SECRET_KEY"),
                ("ENGAGE_DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
            )
            if not values[key]
        ]
        if missing:
            raise ConfigurationError(
                "Production settings need these environment variables: " + ", ".join(missing)
            )
        if len(str(values["SECRET_KEY"])) < 32:
            raise ConfigurationError("ENGAGE_SECRET_KEY must be at least 32 characters long")
        return values


SETTINGS: dict[str, type[Settings]] = {
    "development": Development,
    "test": Test,
    "production": Production,
}


def settings_for(name: str | None = None) -> type[Settings]:
    name = name or os.environ.get("ENGAGE_ENV", "development")
    try:
        return SETTINGS[name]
    except KeyError:
        raise ConfigurationError(
            f"ENGAGE_ENV is {name!r}; use one of: {', '.join(SETTINGS)}"
        ) from None


def _instance_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret
