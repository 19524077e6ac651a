"""Districts, neighbourhoods and what a postcode says about where someone lives."""

from __future__ import annotations

import pytest

from engage.areas import load_areas
from engage.settings import PROJECT_ROOT

AREAS = load_areas(PROJECT_ROOT / "config" / "areas.yaml")


def test_the_six_districts_are_offered_in_order() -> None:
    assert [name for _, name in AREAS.choices()] == [
        "Cambridge City",
        "East Cambridgeshire",
        "Fenland",
        "Huntingdonshire",
        "Peterborough",
        "South Cambridgeshire",
    ]


@pytest.mark.parametrize(
    ("place", "district"),
    [
        ("PE13", "fenland"),
        ("pe13 1ab", "fenland"),
        ("CB4", "cambridge_city"),
        ("near the station, CB6 1AA", "east_cambridgeshire"),
        ("Whittlesey", "fenland"),
        ("kings hedges", "cambridge_city"),
        ("St Neots", "huntingdonshire"),
    ],
)
def test_a_place_or_outward_code_suggests_its_district(place: str, district: str) -> None:
    suggestion = AREAS.suggest_district(place)
    assert suggestion is not None
    assert suggestion.id == district


@pytest.mark.parametrize("place", ["PE7", "PE8", "somewhere nice", "", "SW1A 1AA"])
def test_no_district_is_suggested_when_the_place_is_ambiguous_or_unknown(place: str) -> None:
    assert AREAS.suggest_district(place) is None


def test_a_neighbourhood_is_matched_whatever_its_case_and_apostrophes() -> None:
    assert AREAS.match_neighbourhood("cambridge_city", "queen ediths") == "Queen Edith's"
    assert AREAS.match_neighbourhood("fenland", "Queen Edith's") is None
