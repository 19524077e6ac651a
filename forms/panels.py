"""Forms for panels: setting one up, recording a meeting and its priorities, an action, an outcome.

A meeting form has five priority slots; a slot left completely empty is ignored, so a panel
can adopt one to five priorities. Slots are checked here, not in their own validators,
because what counts as an error depends on whether anything in the slot was filled in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from forms.outreach_session import EARLIEST, GovDateField, check_date
from forms.text_rules import has_forbidden_characters, visible_length

PRIORITY_SLOTS = 5
WORDING_MAX = 500
OWNER_MAX = 200
OUTCOME_MAX = 2000
ACTION_MAX = 2000
NOTES_MAX = 5000
ATTENDEES_MAX = 10_000
ENDING_CHOICES = (
    ("achieved", "Achieved"),
    ("carried_over", "Carried over to a new priority"),
    ("closed", "Closed"),
)
_WHOLE_NUMBER = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")


def _text(value: str | None, what: str, maximum: int, *, required: str | None) -> str | None:
    """Trimmed text, or a GOV.UK message saying what is wrong with it."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError(required)
        return None
    if has_forbidden_characters(text):
        raise ValidationError(f"{what} contains hidden characters that we cannot store: retype it")
    if visible_length(text) > maximum:
        raise ValidationError(f"{what} must be {maximum:,} characters or fewer")
    return text


def _later_date(field: GovDateField, *, what: str, not_before: date | None, after: str) -> None:
    """A date that may be in the future (a review date) but not before ``not_before``."""
    names = ("day", "month", "year")
    missing = [name for name, part in zip(names, field.parts, strict=True) if not part]
    if len(missing) == 3:
        raise ValidationError(f"Enter the date {what}")
    if missing:
        raise ValidationError(f"The date {what} must include a {' and a '.join(missing)}")
    if field.data is None:
        raise ValidationError(f"The date {what} must be a real date, like 27 3 2027")
    if field.data < EARLIEST or field.data.year > 2100:
        raise ValidationError(f"The date {what} must be between 2000 and 2100")
    if not_before is not None and field.data < not_before:
        raise ValidationError(f"The date {what} must be on or after {after}")


def _add_error(field: Field, message: str) -> None:
    if not isinstance(field.errors, list):
        field.errors = list(field.errors)
    field.errors.append(message)


Rule = Callable[[Field], None]


def _apply(field: Field, rule: Rule) -> bool:
    """Run one rule on a field, putting its message next to the field; whether it passed."""
    try:
        rule(field)
    except ValidationError as error:
        _add_error(field, str(error))
        return False
    return True


def _required_text(what: str, maximum: int, missing: str) -> Rule:
    def rule(field: Field) -> None:
        field.data = _text(field.data, what, maximum, required=missing)

    return rule


def _themes_from(known: set[str]) -> Rule:
    def rule(field: Field) -> None:
        if not field.data or not set(field.data) <= known:
            raise ValidationError("Select at least one theme the priority covers")

    return rule


def _review_date(held_on: date | None) -> Rule:
    def rule(field: Field) -> None:
        _later_date(field, what="of the review", not_before=held_on, after="the meeting date")

    return rule


def _past_date(today: date, what: str) -> Rule:
    def rule(field: Field) -> None:
        check_date(field, today=today, what=what)

    return rule


class PanelForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    area = SelectField("Which area is the panel for?", widget=GovSelect(), validate_choice=False)

    def __init__(self, *args: Any, area_choices: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area.choices = [
            SelectChoice("", "Choose an area"),
            *(SelectChoice(v, t) for v, t in area_choices),
        ]

    def validate_area(self, field: Field) -> None:
        if not field.data or field.data not in {c.value for c in field.choices}:
            raise ValidationError("Select the area the panel is for")


class PrioritySlot(Form):  # type: ignore[misc]  # WTForms ships no type hints
    wording = TextAreaField(
        "Priority as it will be published",
        description="For example, Tackle speeding on the High Street and Elm Road",
        widget=GovTextArea(),
    )
    themes = SelectMultipleField(
        "Which themes does it cover?", widget=GovCheckboxesInput(), validate_choice=False
    )
    owner = StringField(
        "Who owns it?",
        description="The police team or partner agency, for example Wisbech neighbourhood team",
        widget=GovTextInput(),
    )
    review_on = GovDateField("When will the panel review it?", description="For example, 27 3 2027")

    def is_blank(self) -> bool:
        return not (
            (self.wording.data or "").strip()
            or self.themes.data
            or (self.owner.data or "").strip()
            or any(self.review_on.parts)
        )


class EndingFields(Form):  # type: ignore[misc]  # WTForms ships no type hints
    priority_id = HiddenField()
    status = RadioField("How did it end?", widget=GovRadioInput(), validate_choice=False)
    outcome = TextAreaField(
        "What happened",
        description="In words fit to publish, for example Speed checks cut speeding by half",
        widget=GovTextArea(),
    )
    outcome_on = GovDateField("Date of the outcome", description="For example, 27 3 2027")


class MeetingForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    held_on = GovDateField("When was the meeting held?", description="For example, 27 3 2026")
    attendees = StringField(
        "How many people attended?", description="A whole number, like 12", widget=GovTextInput()
    )
    period_start = GovDateField(
        "First day of the evidence period", description="For example, 1 8 2026"
    )
    period_end = GovDateField(
        "Last day of the evidence period", description="For example, 31 10 2026"
    )
    notes = TextAreaField(
        "Notes (optional, not published)",
        description="For staff only. Do not include anyone's name or contact details.",
        widget=GovTextArea(),
    )
    priorities = FieldList(
        FormField(PrioritySlot), min_entries=PRIORITY_SLOTS, max_entries=PRIORITY_SLOTS
    )
    endings = FieldList(FormField(EndingFields))

    def __init__(
        self,
        *args: Any,
        theme_choices: Sequence[tuple[str, str]],
        open_priorities: Sequence[int],
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.open_priorities = list(open_priorities)
        for slot in self.priorities:
            slot.form.themes.choices = [SelectChoice(v, t) for v, t in theme_choices]
        # Posted entries keep the ids they were posted with, so a change is noticed.
        for priority_id in self.open_priorities[len(self.endings) :]:
            self.endings.append_entry({"priority_id": str(priority_id)})
        for entry in self.endings:
            entry.form.status.choices = [SelectChoice(v, t) for v, t in ENDING_CHOICES]

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        held_on = self.held_on.data
        themes = {c.value for c in self.priorities[0].form.themes.choices}
        filled = [slot.form for slot in self.priorities if not slot.form.is_blank()]
        if not filled:
            _add_error(self.priorities[0].form.wording, "Enter at least one priority")
            valid = False
        for slot in filled:
            valid &= _apply(
                slot.wording,
                _required_text(
                    "The priority", WORDING_MAX, "Enter the priority as it will be published"
                ),
            )
            valid &= _apply(slot.themes, _themes_from(themes))
            valid &= _apply(
                slot.owner, _required_text("The owner", OWNER_MAX, "Enter who owns the priority")
            )
            valid &= _apply(slot.review_on, _review_date(held_on))
        posted = [entry.form.priority_id.data for entry in self.endings]
        if posted != [str(p) for p in self.open_priorities]:
            _add_error(
                self.held_on,
                "The panel's open priorities changed while you were filling this in: "
                "check the endings below",
            )
            valid = False
        for entry in self.endings:
            ending = entry.form
            valid &= _apply(ending.status, _status)
            valid &= _apply(
                ending.outcome, _required_text("What happened", OUTCOME_MAX, "Enter what happened")
            )
            valid &= _apply(ending.outcome_on, _past_date(self.today, "of the outcome"))
        self._refresh_list_errors()
        return valid

    def _refresh_list_errors(self) -> None:
        for listed in (self.priorities, self.endings):
            errors = [entry.errors for entry in listed]
            listed.errors = errors if any(errors) else []

    def validate_held_on(self, field: GovDateField) -> None:
        check_date(field, today=self.today, what="the meeting was held")

    def validate_attendees(self, field: Field) -> None:
        value = (field.data or "").strip()
        if not value:
            raise ValidationError("Enter how many people attended")
        if not _WHOLE_NUMBER.match(value):
            raise ValidationError("Enter the number of people as a whole number, like 12")
        number = int(value.replace(",", ""))
        if number > ATTENDEES_MAX:
            raise ValidationError(f"The number of people must be {ATTENDEES_MAX:,} or fewer")
        field.data = str(number)

    def validate_period_start(self, field: GovDateField) -> None:
        check_date(field, today=self.today, what="the evidence period started")

    def validate_period_end(self, field: GovDateField) -> None:
        check_date(field, today=self.today, what="the evidence period ended")
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError("The evidence period must end on or after the day it starts")

    def validate_notes(self, field: Field) -> None:
        field.data = _text(field.data, "Notes", NOTES_MAX, required=None)

    def filled_priorities(self) -> list[PrioritySlot]:
        return [slot.form for slot in self.priorities if not slot.form.is_blank()]


def _status(field: Field) -> None:
    if field.data not in {value for value, _ in ENDING_CHOICES}:
        raise ValidationError("Select how the priority ended")


class OutcomeForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    status = RadioField("How did it end?", widget=GovRadioInput(), validate_choice=False)
    outcome = TextAreaField(
        "What happened",
        description="In words fit to publish, for example Speed checks cut speeding by half",
        widget=GovTextArea(),
    )
    outcome_on = GovDateField("Date of the outcome", description="For example, 27 3 2027")

    def __init__(self, *args: Any, today: date, set_on: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.set_on = set_on
        self.status.choices = [SelectChoice(v, t) for v, t in ENDING_CHOICES]

    def validate_status(self, field: Field) -> None:
        _status(field)

    def validate_outcome(self, field: Field) -> None:
        field.data = _text(field.data, "What happened", OUTCOME_MAX, required="Enter what happened")

    def validate_outcome_on(self, field: GovDateField) -> None:
        check_date(field, today=self.today, what="of the outcome")
        if field.data and field.data < self.set_on:
            raise ValidationError(
                "The date of the outcome must be on or after the date the priority was set"
            )


class ActionForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    taken_on = GovDateField("When was it done?", description="For example, 27 3 2026")
    description = TextAreaField(
        "What was done",
        description="This is published and sent to residents who asked to hear. Do not include "
        "anyone's name or contact details.",
        widget=GovTextArea(),
    )

    def __init__(self, *args: Any, today: date, set_on: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.set_on = set_on

    def validate_taken_on(self, field: GovDateField) -> None:
        check_date(field, today=self.today, what="it was done")
        if field.data and field.data < self.set_on:
            raise ValidationError(
                "The date it was done must be on or after the date the priority was set"
            )

    def validate_description(self, field: Field) -> None:
        field.data = _text(field.data, "What was done", ACTION_MAX, required="Enter what was done")
