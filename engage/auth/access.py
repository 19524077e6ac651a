"""Every view declares who may use it; a test walks the URL map to prove none is forgotten.

``@allow("analyst", "admin")`` lets those roles in (signed in, active, password changed);
``@public`` marks a page for anyone. A view with neither is refused to everyone.
Before any staff page, a person must change a one-time password, and an admin must set
up two-factor authentication; signing out is always possible.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from engage.models import ROLES

F = TypeVar("F", bound=Callable[..., Any])
RULE_ATTRIBUTE = "engage_access_rule"
PUBLIC = "public"
# Reachable while a password change or two-factor set-up is still due.
_ALWAYS_REACHABLE = frozenset({"auth.sign_out"})
_TWO_FACTOR_SETUP = "auth.two_factor"


def public(view: F) -> F:
    setattr(view, RULE_ATTRIBUTE, PUBLIC)
    return view


def allow(*roles: str) -> Callable[[F], F]:
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"allow() needs roles from {ROLES}, got {roles}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                # Only a page can be returned to: a form posted from an ended session is lost.
                back = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("auth.sign_in", next=back))
            due = _due_first(request.endpoint)
            if due is not None:
                return redirect(url_for(due))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, RULE_ATTRIBUTE, frozenset(roles))
        return guarded  # type: ignore[return-value]

    return decorate


def _due_first(endpoint: str | None) -> str | None:
    """The page the person must complete before any other, if any."""
    if endpoint in _ALWAYS_REACHABLE:
        return None
    if current_user.must_change_password:
        return None if endpoint == "auth.change_password" else "auth.change_password"
    if current_user.role == "admin" and not current_user.totp_secret:
        return None if endpoint == _TWO_FACTOR_SETUP else _TWO_FACTOR_SETUP
    return None


def rule_of(view: Callable[..., Any]) -> str | frozenset[str] | None:
    """The declared rule of a view function, or None when it declares none."""
    rule: str | frozenset[str] | None = getattr(view, RULE_ATTRIBUTE, None)
    return rule


def register_access_check(app: Flask) -> None:
    """Refuse any request whose view declared no rule: forgetting fails closed, not open."""

    @app.before_request
    def _declared() -> None:
        if request.endpoint is None or request.endpoint == "static":
            return
        view = app.view_functions.get(request.endpoint)
        if view is not None and rule_of(view) is None:
            abort(403)
