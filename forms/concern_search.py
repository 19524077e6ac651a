"""Searching and exporting concerns: the filters staff choose, and what an export includes.

The search form is read from the query string (a GET form, no CSRF token), so a search is
a link that can be bookmarked and shared. Choices come from config via the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from engage.repository.concern_search import ConcernFilters
from forms.text_rules import has_forbidden_characters

CONTAINS_MAX = 200


class DateInputField(Field):  # type: ignore[misc]  # WTForms ships partial hints
    """A GOV.UK date input (day, month, year boxes) that is optional as a whole.

    Errors follow the Design System: say which part is missing, or that the date must be real.
    """

    widget = GovDateInput()

    def __init__(self, label: str, name_in_errors: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.name_in_errors = name_in_errors
        self.data: date | None = None

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist:
            self.raw_data = None  # the widget reads raw_data as (day, month, year)
            return
        parts = [v.strip() for v in [*valuelist, "", "", ""][:3]]
        self.raw_data = parts
        if not any(parts):
            return
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise ValueError(f"{self.name_in_errors} must include a {' and a '.join(missing)}")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError("year")
            self.data = date(year, month, day)
        except ValueError as error:
            raise ValueError(f"{self.name_in_errors} must be a real date") from error


def choice_field(label: str, **kwargs: Any) -> SelectField:
    """A select with an "Any" first option and a plain English refusal of unknown values."""
    article = "an" if label[0].lower() in "aeiou" else "a"
    return SelectField(
        label,
        default="",
        widget=GovSelect(),
        invalid_choice_message=f"Choose {article} {label.lower()} from the list",
        **kwargs,
    )


def with_any(pairs: Sequence[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice("", "Any"), *(SelectChoice(value, label) for value, label in pairs)]


def _plain_text(form: FlaskForm, field: Field) -> None:
    if field.data and has_forbidden_characters(field.data):
        raise ValidationError("Words to look for contain hidden characters: retype them")


class ConcernSearchForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    class Meta:
        csrf = False

    district = choice_field("District")
    neighbourhood = choice_field("Neighbourhood")
    theme = choice_field("Theme")
    channel = choice_field("Channel")
    status = choice_field("Status")
    urgency = choice_field("Urgency")
    submitted_from = DateInputField(
        "Received from",
        "The from date",
        description="For example, 27 3 2026",
    )
    submitted_to = DateInputField(
        "Received to",
        "The to date",
        description="For example, 3 4 2026",
    )
    contains = StringField(
        "Words in the concern",
        description="Searches the redacted text. Not case sensitive.",
        widget=GovTextInput(),
        validators=[
            Length(
                max=CONTAINS_MAX,
                message=f"Words to look for must be {CONTAINS_MAX} characters or fewer",
            ),
            _plain_text,
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )

    def __init__(
        self,
        *args: Any,
        districts: Sequence[tuple[str, str]],
        neighbourhoods: Sequence[tuple[str, str, str]],
        themes: Sequence[tuple[str, str]],
        channels: Sequence[tuple[str, str]],
        statuses: Sequence[tuple[str, str]],
        urgencies: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        """``neighbourhoods`` are (district id, neighbourhood, label) triples."""
        super().__init__(*args, **kwargs)
        self.district.choices = with_any(districts)
        self._neighbourhood_district = {name: district for district, name, _ in neighbourhoods}
        self.neighbourhood.choices = with_any([(name, label) for _, name, label in neighbourhoods])
        self.theme.choices = with_any(themes)
        self.channel.choices = with_any(channels)
        self.status.choices = with_any(statuses)
        self.urgency.choices = with_any(urgencies)
        self._district_names = dict(districts)

    def validate_neighbourhood(self, field: Field) -> None:
        district = self.district.data
        if field.data and district and self._neighbourhood_district.get(field.data) != district:
            raise ValidationError(
                f"{field.data} is not in {self._district_names.get(district, district)}: "
                "choose a neighbourhood of that district, or any neighbourhood"
            )

    def validate_submitted_to(self, field: Field) -> None:
        start, end = self.submitted_from.data, field.data
        if start and end and end < start:
            raise ValidationError("The to date must be the same as or after the from date")

    def filters(self) -> ConcernFilters:
        return ConcernFilters(
            district=self.district.data or None,
            neighbourhood=self.neighbourhood.data or None,
            theme=self.theme.data or None,
            channel=self.channel.data or None,
            status=self.status.data or None,
            urgency=self.urgency.data or None,
            submitted_from=self.submitted_from.data,
            submitted_to=self.submitted_to.data,
            contains=self.contains.data or None,
        )


class ExportForm(FlaskForm):  # type: ignore[misc]
    """What an export includes beyond the redacted text. Only analysts and admins see it."""

    include_original = BooleanField(
        "Include the original text instead of the redacted text",
        description=(
            "The original may name people. Choosing it is recorded as a view of personal data."
        ),
        widget=GovCheckboxInput(),
    )
    include_contact = BooleanField(
        "Include contact details (name, email, phone)",
        description="Only for contacting people who asked to hear back. Recorded in the audit log.",
        widget=GovCheckboxInput(),
    )
