"""References residents can read out and type back."""

from __future__ import annotations

import re

from engage.references import ALPHABET, new_reference, normalise_reference


def test_a_reference_has_the_published_shape_and_no_confusable_characters() -> None:
    for _ in range(200):
        reference = new_reference()
        assert re.fullmatch(r"PP-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
        assert not set(reference[3:].replace("-", "")) - set(ALPHABET)
        assert not set("01ILOUV") & set(reference[3:])


def test_references_are_unlikely_to_repeat() -> None:
    assert len({new_reference() for _ in range(5000)}) == 5000


def test_a_reference_typed_loosely_is_understood() -> None:
    assert normalise_reference("pp 7k3f 9qxd") == "PP-7K3F-9QXD"
    assert normalise_reference("7K3F9QXD") == "PP-7K3F-9QXD"
    assert normalise_reference("PP-0000-0000") is None
    assert normalise_reference("hello") is None
