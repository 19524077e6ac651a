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
    ENGAGE_CONFIG_DIR = Path(os.environ.get("ENGAGE_CONFIG_DIR", PROJECT_ROOT / "config"))
    ENGAGE_MODEL_DIR = Path(
        os.environ.get("ENGAGE_MODEL_DIR", PROJECT_ROOT / "instance" / "models")
    )
    ENGAGE_CLASSIFY_INLINE = True
    # Above 0, each web process classifies new concerns just after storing them, in batches
    # gathered for up to this many seconds (engage.classification_batches); 0 classifies
    # each concern within its request, before it is stored.
    ENGAGE_CLASSIFY_BATCH_SECONDS = 1.0
    # How often a web process looks for a newly promoted theme model (seconds).
    ENGAGE_MODEL_CHECK_SECONDS = float(os.environ.get("ENGAGE_MODEL_CHECK_SECONDS", "30"))
    RATELIMIT_STORAGE_URI = os.environ.get("ENGAGE_RATELIMIT_STORAGE_URI", "memory://")
    # Said outright: the limiter is one object shared by every app in a process and would
    # otherwise keep whatever the last app set up (a test app that turned it off).
    RATELIMIT_ENABLED = True
    # No X-RateLimit-* headers on every answer (working them out costs each submission a
    # second look-up in the storage); a refusal still says when to retry (Retry-After).
    RATELIMIT_HEADERS_ENABLED = False
    # Concerns one client (one IP address) may send: on the form and on the API, each
    # counted apart. Generous, as a library or a community centre puts many residents
    # behind one address. The load benchmark raises it (see benchmarks/bench_intake.py).
    ENGAGE_SUBMIT_RATE_LIMIT = os.environ.get(
        "ENGAGE_SUBMIT_RATE_LIMIT", "10 per minute;60 per hour;300 per day"
    )
    # How many proxies in front of the service set X-Forwarded-For (0: none, so the header
    # is never believed and the connection's own address is the client's).
    ENGAGE_TRUSTED_PROXIES = os.environ.get("ENGAGE_TRUSTED_PROXIES", "0")
    # A form sent sooner than this after it was shown is held for a person to check
    # (quarantined, never refused); nobody reads the page and types a concern this fast.
    ENGAGE_MIN_FILL_SECONDS = float(os.environ.get("ENGAGE_MIN_FILL_SECONDS", "3"))
    PERMANENT_SESSION_LIFETIME = 8 * 60 * 60
    # Staff sessions end after this many minutes without a request.
    ENGAGE_STAFF_IDLE_MINUTES = 30
    ENGAGE_OUTBOX_DIR = Path(
        os.environ.get("ENGAGE_OUTBOX_DIR", PROJECT_ROOT / "instance" / "outbox")
    )
    # Where residents reach the public pages; links in notification e-mails start with it.
    ENGAGE_PUBLIC_URL: str | None = os.environ.get("ENGAGE_PUBLIC_URL")
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
        if "ENGAGE_CLASSIFY_BATCH_SECONDS" in os.environ:
            values["ENGAGE_CLASSIFY_BATCH_SECONDS"] = _batch_seconds(
                os.environ["ENGAGE_CLASSIFY_BATCH_SECONDS"]
            )
        # Digest e-mail is off unless ENGAGE_SMTP_HOST (and friends) are set.
        from jobs.digest_mail import smtp_settings_from_environ

        values["ENGAGE_SMTP"] = smtp_settings_from_environ(os.environ)
        if "ENGAGE_NER_MODEL" in os.environ:
            values["ENGAGE_NER_MODEL"] = os.environ["ENGAGE_NER_MODEL"]
        values["ENGAGE_TRUSTED_PROXIES"] = _proxy_hops(values["ENGAGE_TRUSTED_PROXIES"])
        _check_rate_limit("ENGAGE_SUBMIT_RATE_LIMIT", values["ENGAGE_SUBMIT_RATE_LIMIT"])
        _check_sqlite_library()
        return values


class Development(Settings):
    ENV = "development"
    ENGAGE_PUBLIC_URL = os.environ.get("ENGAGE_PUBLIC_URL", "http://localhost:5000")

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
    ENGAGE_PUBLIC_URL = "https://priorities.example.org"
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - tests only
    ENGAGE_CLASSIFY_INLINE = False
    # Classified within the request, so a test reads the themes as soon as it has posted;
    # the batches have tests of their own.
    ENGAGE_CLASSIFY_BATCH_SECONDS = 0.0
    # Tests post forms at machine speed and many times a minute; the abuse-control tests
    # set these back to real values.
    ENGAGE_MIN_FILL_SECONDS = 0.0
    ENGAGE_SUBMIT_RATE_LIMIT = "1000 per minute"


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


def _proxy_hops(value: object) -> int:
    try:
        hops = int(str(value))
    except ValueError:
        hops = -1
    if hops < 0:
        raise ConfigurationError(
            f"ENGAGE_TRUSTED_PROXIES is {value!r}; give the number of proxies in front of "
            "the service (0 when clients connect to it directly)"
        )
    return hops


def _batch_seconds(value: str) -> float:
    """ENGAGE_CLASSIFY_BATCH_SECONDS: 0, or a pause of at most a minute."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 60:
        raise ConfigurationError(
            f"ENGAGE_CLASSIFY_BATCH_SECONDS: {value!r} is not a number of seconds from 0 to 60"
        )
    return seconds


def _check_sqlite_library() -> None:
    """ENGAGE_SQLITE_LIBRARY names a library that is installed (engage.sqlite_library)."""
    from engage.sqlite_library import SQLiteLibraryError, sqlite_dbapi

    try:
        sqlite_dbapi()
    except SQLiteLibraryError as error:
        raise ConfigurationError(str(error)) from None


def _check_rate_limit(name: str, value: object) -> None:
    from engage.submission_limit import parse_limit

    try:
        parse_limit(str(value))
    except ValueError as error:
        raise ConfigurationError(f"{name}: {error}") from None
