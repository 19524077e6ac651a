"""The per-client limit on sending concerns (ENGAGE_SUBMIT_RATE_LIMIT), on the form and the API.

Counted with the ``limits`` library in the storage and strategy Flask-Limiter set up from
RATELIMIT_STORAGE_URI (Redis when several processes run), called straight from the two
views. Flask-Limiter's route decorator works out afresh on every request which route,
blueprint and exemption rules apply, and that bookkeeping cost a submission as much as the
count itself; here there is one rule, one key per client and channel, and nothing to look
up. Sign-in keeps the decorator: it is not a hot path.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

from engage.extensions import limiter


class SubmissionLimitReached(Exception):
    """This client has sent as many concerns as the limit allows for now."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"submission limit reached; retry after {retry_after} s")
        self.retry_after = retry_after


@lru_cache(maxsize=16)
def parse_limit(limit: str) -> tuple[RateLimitItem, ...]:
    """``"10 per minute;60 per hour"`` as limit items; ValueError names what does not parse."""
    try:
        items = tuple(parse_many(limit))
    except ValueError as error:
        raise ValueError(
            f"{limit!r} is not a rate limit such as '10 per minute': {error}"
        ) from None
    if not items:
        raise ValueError(f"{limit!r} holds no rate limit")
    return items


def count_submission(channel: str) -> None:
    """Count one concern sent by this client on ``channel`` (``web`` or ``api``, counted
    apart) against every limit; raise ``SubmissionLimitReached`` at the first one spent.

    A refused submission still counts towards the limits checked before the one it broke,
    as Flask-Limiter counts: a client that keeps sending is not let in any sooner.
    """
    if not limiter.enabled:
        return
    config = current_app.config
    identifiers = ["submit", channel, get_remote_address()]
    prefix = config.get("RATELIMIT_KEY_PREFIX")
    if prefix:
        identifiers.insert(0, prefix)
    strategy = limiter.limiter
    for item in parse_limit(config["ENGAGE_SUBMIT_RATE_LIMIT"]):
        if not strategy.hit(item, *identifiers):
            reset_at = strategy.get_window_stats(item, *identifiers).reset_time
            raise SubmissionLimitReached(max(1, math.ceil(reset_at - time.time())))
