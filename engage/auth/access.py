"""Every view declares who may use it; a test walks the URL map to prove none is forgotten.

``@allow("analyst", "admin")`` lets those roles in (signed in, active, password changed);
``@public`` marks a page for anyone. A view with neither is refused to everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from engage.models import ROLES

F = TypeVar("F", bound=Callable[..., Any])
RULE_ATTRIBUTE = "engage_access_rule"
PUBLIC = "public"


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
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
            if current_user.must_change_password and request.endpoint != "auth.change_password":
                return redirect(url_for("auth.change_password"))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, RULE_ATTRIBUTE, frozenset(roles))
        return guarded  # type: ignore[return-value]

    return decorate


def rule_of(view: Callable[..., Any]) -> str | frozenset[str] | None:
    """The declared rule of a view function, or None when it declares none."""
    rule: str | frozenset[str] | None = getattr(view, RULE_ATTRIBUTE, None)
    return rule


def register_access_check(app: Any) -> None:
    """Refuse any request whose view declared no rule: forgetting fails closed, not open."""

    @app.before_request
    def _declared() -> None:
        if request.endpoint is None or request.endpoint == "static":
            return
        view = app.view_functions.get(request.endpoint)
        if view is not None and rule_of(view) is None:
            abort(403)
