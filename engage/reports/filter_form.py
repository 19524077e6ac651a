"""The dashboard's filters: district, neighbourhood, theme, channel and period (a grain and
any day in it).

A GET form (no CSRF: it changes nothing); choices come from config, passed in. A
neighbourhood's value names its district too (``fenland/Wisbech``), since two districts could
share a neighbourhood's name; choosing one implies its district.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import Form, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

GRAIN_CHOICES = [SelectChoice("week", "Week"), SelectChoice("month", "Month")]


def _choices(everything: str, pairs: Sequence[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice("", everything), *(SelectChoice(v, label) for v, label in pairs)]


def _neighbourhood_value(district: str, neighbourhood: str) -> str:
    return f"{district}/{neighbourhood}"


class ReportFilterForm(Form):  # type: ignore[misc]  # WTForms ships no type hints
    district = SelectField("District", default="", validate_choice=False, widget=GovSelect())
    neighbourhood = SelectField(
        "Neighbourhood", default="", validate_choice=False, widget=GovSelect()
    )
    theme = SelectField("Theme", default="", validate_choice=False, widget=GovSelect())
    channel = SelectField("Channel", default="", validate_choice=False, widget=GovSelect())
    grain = RadioField(
        "Period",
        choices=GRAIN_CHOICES,
        default="week",
        validate_choice=False,
        widget=GovRadioInput(),
    )
    day = StringField(
        "A day in the period",
        description="For example, 2026-11-18. Leave empty for the latest complete period.",
        widget=GovTextInput(),
    )

    def __init__(
        self,
        formdata: MultiDict[str, str],
        *,
        districts: Sequence[tuple[str, str]],
        neighbourhoods: Sequence[tuple[str, str]],
        themes: Sequence[tuple[str, str]],
        channels: Sequence[tuple[str, str]],
    ) -> None:
        """``districts`` are (id, name); ``neighbourhoods`` (district id, neighbourhood)."""
        super().__init__(formdata)
        self._district_names = dict(districts)
        self._places = {_neighbourhood_value(d, n): (d, n) for d, n in neighbourhoods}
        self.district.choices = _choices("All districts", districts)
        self.neighbourhood.choices = _choices(
            "All neighbourhoods",
            [(v, f"{n} ({self._district_names.get(d, d)})") for v, (d, n) in self._places.items()],
        )
        self.theme.choices = _choices("All themes", themes)
        self.channel.choices = _choices("All channels", channels)

    def _known(self, field: SelectField, message: str) -> None:
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(message)

    def validate_district(self, field: SelectField) -> None:
        self._known(field, "Select a district from the list")

    def validate_neighbourhood(self, field: SelectField) -> None:
        if not field.data:
            return
        place = self._places.get(field.data)
        if place is None:
            raise ValidationError("Select a neighbourhood from the list")
        chosen = self.district.data
        if chosen and chosen in self._district_names and chosen != place[0]:
            raise ValidationError(
                f"Select a neighbourhood in {self._district_names[chosen]}, or All neighbourhoods"
            )

    def validate_theme(self, field: SelectField) -> None:
        self._known(field, "Select a theme from the list")

    def validate_channel(self, field: SelectField) -> None:
        self._known(field, "Select a channel from the list")

    def validate_grain(self, field: RadioField) -> None:
        if field.data not in ("week", "month"):
            raise ValidationError("Select week or month")

    def validate_day(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if not text:
            field.data = ""
            return
        try:
            field.data = date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError("Enter a day as year-month-day, for example 2026-11-18") from None

    def chosen_area(self) -> tuple[str | None, str | None]:
        """(district id, neighbourhood name) once valid; a neighbourhood brings its district."""
        place = self._places.get(self.neighbourhood.data or "")
        if place is not None:
            return place
        return self.district.data or None, None

    def chosen_day(self) -> date | None:
        return date.fromisoformat(self.day.data) if self.day.data else None
