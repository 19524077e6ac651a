"""Short, unambiguous references residents can read out on the phone: ``PP-7K3F-9QXD``."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L or U/V pairs that are misread, so a reference survives being copied by hand.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
PREFIX = "PP"
_PATTERN = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


_BODY_LENGTH = 8
_COMBINATIONS = len(ALPHABET) ** _BODY_LENGTH


def new_reference() -> str:
    """A uniformly random reference: one draw from the OS, read as eight base-29 digits
    (drawing each character apart costs eight system calls)."""
    number = secrets.randbelow(_COMBINATIONS)
    digits = []
    for _ in range(_BODY_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[digit])
    body = "".join(digits)
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
