"""Rules for free text residents type: any script is welcome, invisible control codes are not."""

from __future__ import annotations

import re

# C0 and C1 controls except tab, line feed and carriage return; lone surrogates cannot be
# stored as UTF-8; U+FFFE/U+FFFF are non-characters.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def has_forbidden_characters(text: str) -> bool:
    return _FORBIDDEN.search(text) is not None


def visible_length(text: str) -> int:
    """Length as a person counts it: surrounding white space is not part of the answer."""
    return len(text.strip())
