"""Spotting automated submissions without a CAPTCHA: a honeypot field and a timing check.

A submission that trips either is still stored, with status ``quarantined``, for a person
to look at; the sender is told nothing different. Nothing here refuses a concern, so a
wrong guess costs an analyst a glance, never a resident their say.

The form carries a signed timestamp of when it was shown (``form_token``). A form sent
back implausibly fast after that is held. There is deliberately no upper bound: a person
who leaves the page open for hours and comes back is exactly who the service is for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer

_SALT = "engage.concern-form-shown"

HONEYPOT_FILLED = "The hidden field that people never see was filled in"
TIMESTAMP_MISSING = "The form was sent without the timestamp of when it was shown"
TIMESTAMP_ALTERED = "The form's timestamp was altered or was not issued by this service"


@dataclass(frozen=True)
class Screening:
    """Why a submission is held for checking; empty when it is not."""

    reasons: tuple[str, ...] = ()

    @property
    def quarantined(self) -> bool:
        return bool(self.reasons)


def _signer(secret: str) -> Signer:
    return Signer(secret, salt=_SALT)


def issue_form_token(secret: str, now: float | None = None) -> str:
    """A signed record of when the form was shown (milliseconds since the epoch)."""
    shown_ms = int((time.time() if now is None else now) * 1000)
    return _signer(secret).sign(str(shown_ms)).decode("ascii")


def shown_at(secret: str, token: str) -> float | None:
    """When the form carrying ``token`` was shown, or None if the token is not ours."""
    try:
        value = _signer(secret).unsign(token.encode("ascii", "replace"))
        return int(value) / 1000
    except (BadSignature, ValueError):
        return None


def screen(
    *,
    honeypot: str | None,
    form_token: str | None,
    secret: str,
    min_seconds: float,
    token_required: bool,
    now: float | None = None,
) -> Screening:
    """Check one submission. ``token_required`` is true for our own form, which always
    carries a token; an API client that shows no form to a person may send none."""
    reasons: list[str] = []
    if honeypot and honeypot.strip():
        reasons.append(HONEYPOT_FILLED)
    if not form_token:
        if token_required:
            reasons.append(TIMESTAMP_MISSING)
        return Screening(tuple(reasons))
    shown = shown_at(secret, form_token)
    if shown is None:
        reasons.append(TIMESTAMP_ALTERED)
        return Screening(tuple(reasons))
    elapsed = (time.time() if now is None else now) - shown
    # A negative gap is clock skew between servers, not a robot: never held for it.
    if 0 <= elapsed < min_seconds:
        reasons.append(
            f"Sent {elapsed:.1f} seconds after the form was shown "
            f"(people take at least {min_seconds:g})"
        )
    return Screening(tuple(reasons))
