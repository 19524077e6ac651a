"""The form for an outreach session: what kind, when, where, how many people, notes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from forms.text_rules import has_forbidden_characters, visible_length

VENUE_MAX = 200
NOTES_MAX = 5000
PEOPLE_MAX = 10_000
EARLIEST = date(2000, 1, 1)
_WHOLE_NUMBER = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")


class GovDateField(Field):  # type: ignore[misc]  # WTForms ships no type hints
    """A date typed as day, month and year boxes that share one name (the GOV.UK pattern).

    ``data`` is the date, or None when the boxes do not make one; ``parts`` keeps what was
    typed so the validator can say what is wrong.
    """

    widget = GovDateInput()

    def __init__(self, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.parts: tuple[str, str, str] = ("", "", "")

    def process_formdata(self, valuelist: list[str]) -> None:
        # Exactly three boxes, whatever was posted: the widget unpacks them.
        values = [str(v).strip()[:10] for v in valuelist[:3]]
        values += [""] * (3 - len(values))
        self.raw_data = values
        self.parts = (values[0], values[1], values[2])
        self.data = _to_date(*self.parts)

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""


def _to_date(day: str, month: str, year: str) -> date | None:
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def check_date(field: GovDateField, *, today: date, what: str) -> None:
    """GOV.UK date messages: missing, missing a part, not real, in the future, too early."""
    names = ("day", "month", "year")
    missing = [name for name, part in zip(names, field.parts, strict=True) if not part]
    if len(missing) == 3:
        raise ValidationError(f"Enter the date {what}")
    if missing:
        raise ValidationError(f"The date {what} must include a {' and a '.join(missing)}")
    if field.data is None:
        raise ValidationError(f"The date {what} must be a real date, like 27 3 2025")
    if field.data > today:
        raise ValidationError(f"The date {what} must be today or in the past")
    if field.data < EARLIEST:
        raise ValidationError(f"The date {what} must be in 2000 or later")


def _optional_text(label: str, maximum: int) -> Any:
    def check(form: FlaskForm, field: Field) -> None:
        value = field.data or ""
        if has_forbidden_characters(value):
            raise ValidationError(
                f"{label} contains hidden characters that we cannot store: retype it"
            )
        if visible_length(value) > maximum:
            raise ValidationError(f"{label} must be {maximum:,} characters or fewer")
        field.data = value.strip() or None

    return check


class OutreachSessionForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    kind = RadioField("What kind of session was it?", widget=GovRadioInput(), validate_choice=False)
    held_on = GovDateField("When was it held?", description="For example, 27 3 2025")
    district = RadioField(
        "Which district was it in?", widget=GovRadioInput(), validate_choice=False
    )
    venue = StringField(
        "Where was it held?",
        description="For example, Wisbech Library or Market Place, March",
        widget=GovTextInput(),
    )
    people_spoken_to = StringField(
        "How many people did you speak to? (optional)",
        description="A whole number, like 25",
        widget=GovTextInput(),
    )
    notes = TextAreaField(
        "Notes (optional)",
        description="Anything that helps others understand the session. Do not include "
        "anyone's name or contact details here.",
        widget=GovTextArea(),
        validators=[_optional_text("Notes", NOTES_MAX)],
    )

    def __init__(
        self,
        *args: Any,
        kind_choices: Sequence[tuple[str, str]],
        district_choices: Sequence[tuple[str, str]],
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(v, label) for v, label in kind_choices]
        self.district.choices = [SelectChoice(v, label) for v, label in district_choices]
        self.today = today

    def validate_kind(self, field: Field) -> None:
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Select what kind of session it was")

    def validate_held_on(self, field: GovDateField) -> None:
        check_date(field, today=self.today, what="the session was held")

    def validate_district(self, field: Field) -> None:
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Select the district the session was in")

    def validate_venue(self, field: Field) -> None:
        value = (field.data or "").strip()
        if not value:
            raise ValidationError("Enter where the session was held")
        if has_forbidden_characters(value):
            raise ValidationError("The place contains hidden characters that we cannot store")
        if len(value) > VENUE_MAX:
            raise ValidationError(
                f"Where the session was held must be {VENUE_MAX} characters or fewer"
            )
        field.data = value

    def validate_people_spoken_to(self, field: Field) -> None:
        # An edit form starts from the stored number: a post without the field leaves it.
        value = str(field.data or "").strip()
        if not value:
            field.data = None
            return
        if not _WHOLE_NUMBER.match(value):
            raise ValidationError("Enter the number of people as a whole number, like 25")
        number = int(value.replace(",", ""))
        if number > PEOPLE_MAX:
            raise ValidationError(f"The number of people must be {PEOPLE_MAX:,} or fewer")
        field.data = str(number)

    def people(self) -> int | None:
        """The number of people, after ``validate()`` succeeded."""
        return int(self.people_spoken_to.data) if self.people_spoken_to.data else None
