"""Domain exceptions, mapped to pages and API problems in one place (``engage.error_handlers``)."""

from __future__ import annotations


class EngageError(Exception):
    """Base class for errors the service expects and explains to people."""

    title = "Something went wrong"
    status = 400


class IdempotencyConflict(EngageError):
    """The same idempotency key came back with a different request."""

    title = "This idempotency key was already used for a different concern"
    status = 422


class ConcernNotFound(EngageError):
    title = "No concern has this reference"
    status = 404
