"""Passwords are stored as argon2id hashes and must be long and not obvious."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher

from engage.auth import passwords
from engage.auth.passwords import one_time_password, password_problem


def test_hashes_are_argon2id_with_the_recommended_costs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real costs, not the cheap ones the other tests use
    stored = passwords.hash_password("a long enough password")
    # RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes.
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not passwords.needs_rehash(stored)
    assert passwords.needs_rehash(PasswordHasher(time_cost=1).hash("x"))


def test_a_password_matches_only_its_own_hash() -> None:
    stored = passwords.hash_password("correct horse battery staple")
    assert passwords.verify_password(stored, "correct horse battery staple")
    assert not passwords.verify_password(stored, "correct horse battery stapler")
    assert not passwords.verify_password("not a hash", "anything")
    assert not passwords.verify_password(None, "anything")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short one", "Password must be 12 characters or more"),
        ("x" * 257, "Password must be 256 characters or fewer"),
        ("aaaaaaaaaaaaaaaa", "Password must not repeat the same few characters"),
        ("Password1234!", "Password is too easy to guess: use 3 or more random words"),
        ("123456789012", "Password is too easy to guess: use 3 or more random words"),
        ("qwertyuiop!!", "Password is too easy to guess: use 3 or more random words"),
        ("Peterborough2025", "Password is too easy to guess: use 3 or more random words"),
        ("fghijklmnopq", "Password is too easy to guess: use 3 or more random words"),
        ("sam.jones rides bikes", "Password must not contain your name or email address"),
        ("my name is Jones ok", "Password must not contain your name or email address"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    assert password_problem(password, email="sam.jones@example.org", name="Sam Jones") == problem


def test_three_random_words_are_fine() -> None:
    assert (
        password_problem("kettle orbit lantern", email="sam@example.org", name="Sam Jones") is None
    )


def test_one_time_passwords_are_long_random_and_easy_to_read() -> None:
    made = {one_time_password() for _ in range(50)}
    assert len(made) == 50
    for password in made:
        assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
        assert not set("01lo") & set(password)
        assert password_problem(password, email="a@example.org", name="A B") is None
