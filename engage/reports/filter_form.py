"""The dashboard's filters: district, theme, channel and period (a grain and any day in it).

A GET form (no CSRF: it changes nothing); choices come from config, passed in.
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


class ReportFilterForm(Form):  # type: ignore[misc]  # WTForms ships no type hints
    district = SelectField("District", default="", validate_choice=False, widget=GovSelect())
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
        themes: Sequence[tuple[str, str]],
        channels: Sequence[tuple[str, str]],
    ) -> None:
        super().__init__(formdata)
        self.district.choices = _choices("All districts", districts)
        self.theme.choices = _choices("All themes", themes)
        self.channel.choices = _choices("All channels", channels)

    def _known(self, field: SelectField, message: str) -> None:
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(message)

    def validate_district(self, field: SelectField) -> None:
        self._known(field, "Select a district from the list")

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

    def chosen_day(self) -> date | None:
        return date.fromisoformat(self.day.data) if self.day.data else None
