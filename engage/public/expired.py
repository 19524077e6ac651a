"""The page for a form whose CSRF token was missing or had expired: keep every answer."""

from __future__ import annotations

import secrets

from engage.public.forms import concern_form
from engage.public.views import render_form


def render_expired_form() -> tuple[str, int]:
    form = concern_form()
    if not form.submission_id.data:
        form.submission_id.data = secrets.token_urlsafe(24)
    return render_form(form, status=400, session_expired=True)
