"""Short, unambiguous references residents can read out on the phone: ``PP-7K3F-9QXD``."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L or U/V pairs that are misread, so a reference survives being copied by hand.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
PREFIX = "PP"
_PATTERN = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def new_reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{PREFIX}-{body[:4]}-{body[4:]}"


def normalise_reference(text: str) -> str | None:
    """The canonical form of a reference as someone typed it, or None if it cannot be one."""
    compact = re.sub(r"[\s\-]", "", text.upper())
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != 8:
        return None
    candidate = f"{PREFIX}-{compact[:4]}-{compact[4:]}"
    return candidate if _PATTERN.match(candidate) else None
