"""Find a resident's records, show everything held, download it as JSON, or erase it.

The address or number searched for travels in POST bodies only, never in a URL, so it is in
no server log, browser history or Referer header.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from engage.areas import Choice
from engage.auth.access import allow
from engage.data_protection import DATA_PROTECTION_ROLES, blueprint
from engage.extensions import db
from engage.london_time import LONDON
from engage.models import Concern, User
from engage.reference_data import reference_data
from engage.services import audit
from engage.services.data_protection import (
    Person,
    PersonNotIdentified,
    erase_person,
    export_person,
    find_person,
)
from forms.data_protection import EraseForm, PersonSearchForm


def _staff() -> User:
    return cast(User, current_user._get_current_object())


def _person(email: str | None, phone: str | None) -> Person | None:
    try:
        return Person.of(email=email, phone=phone)
    except PersonNotIdentified:
        return None


def _district_name(district_id: str) -> str:
    district = reference_data().areas.district(district_id)
    return district.name if district is not None else district_id


def _label(choices: tuple[Choice, ...], value: str | None) -> str:
    if value is None:
        return "Not given"
    return next((c.label for c in choices if c.id == value), value)


def _answers(concern: Concern) -> dict[str, str]:
    intake = reference_data().intake
    return {
        "dealing": _label(intake.dealing_with_concerns, concern.dealing_with_concerns),
        "age_band": _label(intake.age_bands, concern.age_band),
    }


def _dated(moment: datetime | None) -> str:
    return moment.astimezone(LONDON).strftime("%-d %B %Y %H:%M") if moment else ""


def _themes_of(concern: Concern) -> str:
    names = [reference_data().theme_name(t.theme) or t.theme for t in concern.themes]
    return ", ".join(names) or "Not classified"


@blueprint.get("")
@allow(*DATA_PROTECTION_ROLES)
def start() -> str:
    return render_template(
        "data_protection/search.html", nav_active="data_protection", form=PersonSearchForm()
    )


def _records_page(person: Person, erase_form: EraseForm, status: int = 200) -> Any:
    session = db.session()
    concerns = find_person(session, person)
    # The page shows what residents wrote and how to reach them: a view of personal data.
    audit.record_view(
        session,
        user_id=_staff().id,
        object_type="person",
        object_id="search",
        detail={"kind": "subject_access", "concerns": len(concerns)},
    )
    return (
        render_template(
            "data_protection/records.html",
            nav_active="data_protection",
            person=person,
            concerns=concerns,
            district_name=_district_name,
            themes_of=_themes_of,
            answers=_answers,
            dated=_dated,
            form=erase_form,
        ),
        status,
    )


@blueprint.post("")
@allow(*DATA_PROTECTION_ROLES)
def find() -> Any:
    form = PersonSearchForm()
    person = _person(form.email.data, form.phone.data) if form.validate() else None
    if person is None:
        return (
            render_template("data_protection/search.html", nav_active="data_protection", form=form),
            400,
        )
    erase_form = EraseForm(formdata=None, email=person.email, phone=person.phone)
    return _records_page(person, erase_form)


@blueprint.post("/export")
@allow(*DATA_PROTECTION_ROLES)
def export() -> Response:
    form = PersonSearchForm()
    person = _person(form.email.data, form.phone.data) if form.validate() else None
    if person is None:
        return cast(Response, redirect(url_for("data_protection.start")))
    now = datetime.now(UTC)
    exported = export_person(db.session(), person, user_id=_staff().id, now=now)
    body = json.dumps(exported, ensure_ascii=False, indent=2)
    filename = f"subject-access-{now:%Y-%m-%d-%H%M%S}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blueprint.post("/erase")
@allow(*DATA_PROTECTION_ROLES)
def erase() -> Any:
    form = EraseForm()
    person = _person(form.email.data, form.phone.data)
    if person is None:
        return redirect(url_for("data_protection.start"))
    if not form.validate():
        return _records_page(person, form, 400)
    erasure = erase_person(
        db.session(),
        person,
        user_id=_staff().id,
        now=datetime.now(UTC),
        outbox_dir=Path(current_app.config["ENGAGE_OUTBOX_DIR"]),
    )
    flash(
        f"Personal data erased from {erasure.concerns} "
        f"{'concern' if erasure.concerns == 1 else 'concerns'}",
        "erased",
    )
    return redirect(url_for("data_protection.start"))
