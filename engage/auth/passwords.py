"""Password hashing (argon2id), the rules a new password must meet, and one-time passwords."""

from __future__ import annotations

import re
import secrets
from functools import cache
from itertools import pairwise

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
MAX_LENGTH = 256

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs


@cache
def _dummy_hash() -> str:
    """Checked against when the email is unknown, so a miss costs as long as a wrong
    password. Made on first use: hashing at import would slow every command's start."""
    return _hasher.hash(secrets.token_urlsafe(16))


# Words people reach for first; a password that is one of these plus digits or symbols
# ("Password123!") is refused along with the word itself.
_COMMON_WORDS = frozenset(
    {
        "password",
        "passw",
        "passwd",
        "letmein",
        "welcome",
        "changeme",
        "iloveyou",
        "admin",
        "administrator",
        "qwerty",
        "qwertyuiop",
        "asdfghjkl",
        "abc",
        "abcdef",
        "abcdefghijkl",
        "secret",
        "monkey",
        "dragon",
        "football",
        "sunshine",
        "princess",
        "trustno",
        "police",
        "policing",
        "commissioner",
        "engage",
        "cambridge",
        "cambridgeshire",
        "peterborough",
        "summer",
        "winter",
        "spring",
        "autumn",
    }
)
_NOT_LETTER = re.compile(r"[^a-z]+")
_WORD = re.compile(r"[a-z]{3,}")
# No 0/O, 1/l/I: a one-time password is read off a screen and typed by hand.
_ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash, burn the same time and say no."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def one_time_password() -> str:
    """Sixteen random characters in four groups (about 79 bits), easy to read out."""
    groups = ["".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def password_problem(password: str, *, email: str, name: str) -> str | None:
    """Why this password is not good enough, in plain English, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.casefold()
    if len(set(lowered)) < 4:
        return "Password must not repeat the same few characters"
    letters = _NOT_LETTER.sub("", lowered)
    if not letters or letters in _COMMON_WORDS or _is_run(lowered):
        return "Password is too easy to guess: use 3 or more random words"
    if any(part in lowered for part in _personal_parts(email, name)):
        return "Password must not contain your name or email address"
    return None


def _personal_parts(email: str, name: str) -> set[str]:
    local, _, domain = email.casefold().partition("@")
    parts = set(_WORD.findall(local)) | set(_WORD.findall(name.casefold()))
    if len(local) >= 3:
        parts.add(local)
    parts.discard(domain)
    return {part for part in parts if len(part) >= 3}


def _is_run(text: str) -> bool:
    """Keyboard or alphabet runs such as "123456789012" or "abcdefghijkl"."""
    steps = {ord(b) - ord(a) for a, b in pairwise(text)}
    return steps <= {1} or steps <= {-1}
