"""The link in each message to a resident that stops further messages, in one click.

The link carries the concern's id signed with the service's secret key (itsdangerous), so
only someone holding a message we sent can use it, and nothing in it is personal. It does
not expire: a resident may act on an old message, and all it can do is delete contact
details the resident asked us to keep.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "engage.stop-messages"


def stop_token(secret: str, concern_id: int) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps(concern_id)


def concern_of(secret: str, token: str) -> int | None:
    """The concern id a token was made for, or None for one we did not sign."""
    try:
        value = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def stop_url(public_url: str, secret: str, concern_id: int) -> str:
    return f"{public_url.rstrip('/')}/stop-messages/{stop_token(secret, concern_id)}"
