"""Building the resident's form with choices from config."""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app
from werkzeug.datastructures import MultiDict

from engage.reference_data import reference_data
from forms.concern import ConcernForm

_per_thread = threading.local()


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


def api_concern_form(formdata: MultiDict[str, str]) -> ConcernForm:
    """The resident's form, filled in from an API request (no CSRF: no page was shown).

    Building a WTForms form binds every field anew, which costs a submission more than
    validating it; so each thread keeps one form per app and refills it for each request.
    ``ConcernForm.refill`` resets everything a request leaves behind.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if getattr(_per_thread, "app", None) is app:
        form: ConcernForm = _per_thread.form
        form.refill(formdata)
        return form
    form = concern_form(formdata=formdata, meta={"csrf": False})
    _per_thread.app, _per_thread.form = app, form
    return form
