"""Building the resident's form with choices from config."""

from __future__ import annotations

from typing import Any

from engage.reference_data import reference_data
from forms.concern import ConcernForm


def concern_form(**kwargs: Any) -> ConcernForm:
    data = reference_data()
    return ConcernForm(
        district_choices=data.areas.choices(),
        age_band_choices=[(c.id, c.label) for c in data.intake.age_bands],
        dealing_choices=[(c.id, c.label) for c in data.intake.dealing_with_concerns],
        suggest_district=lambda place: _district_id(place),
        **kwargs,
    )


def _district_id(place: str) -> str | None:
    district = reference_data().areas.suggest_district(place)
    return district.id if district else None
