"""Logging many concerns heard at one session: rows of text, place and optional contact.

The row rules are plain functions so the file import checks rows exactly as the page does.
A row left blank is ignored; any other row must be complete and valid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextArea, GovTextInput
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from forms.concern import NAME_MAX, PLACE_MAX, TEXT_MAX, TEXT_MIN
from forms.submission import ConcernSubmission, ContactDetails
from forms.text_rules import has_forbidden_characters, visible_length

FIRST_ROWS = 5
ADD_ROWS = 5
MAX_ROWS = 50
_PHONE_CHARS = re.compile(r"^[0-9+()\-\s.]+$")
_SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class RowAnswers:
    """One concern as typed (on the page or in a file), before any checks."""

    text: str = ""
    place: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    consent: bool = False

    @property
    def is_blank(self) -> bool:
        return not any(
            v.strip()
            for v in (
                self.text,
                self.place,
                self.contact_name,
                self.contact_email,
                self.contact_phone,
            )
        )

    @property
    def has_contact(self) -> bool:
        return any(v.strip() for v in (self.contact_name, self.contact_email, self.contact_phone))


@dataclass(frozen=True)
class CheckedRow:
    text: str
    place: str | None
    contact: ContactDetails | None

    def submission(self, district: str) -> ConcernSubmission:
        return ConcernSubmission(
            text=self.text,
            district=district,
            place=self.place,
            impact=None,
            dealing_with_concerns=None,
            age_band=None,
            contact=self.contact,
        )


Problem = tuple[str, str]  # (field name, message)


def check_row(answers: RowAnswers) -> tuple[CheckedRow | None, list[Problem]]:
    """The normalised row, or the problems with it (field name and plain-English message)."""
    problems: list[Problem] = []
    text = answers.text.strip()
    problems += _text_problems("text", text, "what the person raised", TEXT_MIN, TEXT_MAX, True)
    place = answers.place.strip()
    problems += _text_problems("place", place, "the neighbourhood or place", 1, PLACE_MAX, False)
    name = answers.contact_name.strip()
    problems += _text_problems("contact_name", name, "the name", 1, NAME_MAX, False)
    email, email_problem = _email(answers.contact_email.strip())
    if email_problem:
        problems.append(("contact_email", email_problem))
    phone, phone_problem = _phone(answers.contact_phone.strip())
    if phone_problem:
        problems.append(("contact_phone", phone_problem))
    if answers.has_contact:
        if not email and not phone and not email_problem and not phone_problem:
            problems.append(
                ("contact_email", "Enter an email address or a phone number, or remove the name")
            )
        if not answers.consent:
            problems.append(
                (
                    "consent",
                    "Confirm the person agreed to be contacted, or remove their contact details",
                )
            )
    if problems:
        return None, problems
    contact = (
        ContactDetails(name=name or None, email=email or None, phone=phone or None)
        if answers.has_contact
        else None
    )
    return CheckedRow(text=text, place=place or None, contact=contact), []


def _text_problems(
    field: str, value: str, label: str, minimum: int, maximum: int, required: bool
) -> list[Problem]:
    length = visible_length(value)
    if length == 0:
        return [(field, f"Enter {label}")] if required else []
    if has_forbidden_characters(value):
        return [(field, f"{label[0].upper()}{label[1:]} contains hidden characters: retype it")]
    if length < minimum:
        return [(field, f"{label[0].upper()}{label[1:]} must be {minimum} characters or more")]
    if length > maximum:
        return [(field, f"{label[0].upper()}{label[1:]} must be {maximum:,} characters or fewer")]
    return []


def _email(value: str) -> tuple[str, str | None]:
    if not value:
        return "", None
    try:
        return validate_email(value, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return "", "Enter an email address in the correct format, like name@example.com"


def _phone(value: str) -> tuple[str, str | None]:
    if not value:
        return "", None
    digits = re.sub(r"\D", "", value)
    if not _PHONE_CHARS.match(value) or not 10 <= len(digits) <= 15:
        return "", "Enter a phone number, like 01632 960 001 or 07700 900 982"
    return value, None


class ConcernRowForm(Form):  # type: ignore[misc]  # WTForms ships no type hints
    """One row of the page. Its number goes into messages, so the summary says which row."""

    text = TextAreaField("What did they raise?", widget=GovTextArea())
    place = StringField("Neighbourhood or place (optional)", widget=GovTextInput())
    contact_name = StringField("Name (optional)", widget=GovTextInput())
    contact_email = StringField("Email address (optional)", widget=GovTextInput())
    contact_phone = StringField("Phone number (optional)", widget=GovTextInput())
    consent = BooleanField(
        "They agreed that the Commissioner's office may use these details to tell them "
        "what happens next",
        widget=GovCheckboxInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.number = 0
        self.required = False
        self.checked: CheckedRow | None = None

    def answers(self) -> RowAnswers:
        def text(value: Any) -> str:
            return value if isinstance(value, str) else ""

        return RowAnswers(
            text=text(self.text.data),
            place=text(self.place.data),
            contact_name=text(self.contact_name.data),
            contact_email=text(self.contact_email.data),
            contact_phone=text(self.contact_phone.data),
            consent=bool(self.consent.data),
        )

    def validate(self, extra_validators: Any = None) -> bool:
        for field in self:
            field.errors = []
        self.checked = None
        answers = self.answers()
        if answers.is_blank and not self.required:
            return True
        if answers.is_blank:
            self.text.errors = [f"Concern {self.number}: enter at least one concern"]
            return False
        checked, problems = check_row(answers)
        for name, message in problems:
            field = getattr(self, name)
            if not field.errors:
                field.errors = [f"Concern {self.number}: {message[0].lower()}{message[1:]}"]
        self.checked = checked
        return checked is not None


class OutreachConcernsForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    submission_id = HiddenField()
    rows = FieldList(FormField(ConcernRowForm), min_entries=FIRST_ROWS, max_entries=MAX_ROWS)

    def validate_submission_id(self, field: Any) -> None:
        if not field.data or not _SUBMISSION_ID.match(field.data):
            field.data = ""

    def row_forms(self) -> list[ConcernRowForm]:
        return [entry.form for entry in self.rows.entries]

    def validate(self, extra_validators: Any = None) -> bool:
        rows = self.row_forms()
        for number, row in enumerate(rows, start=1):
            row.number = number
            row.required = False
        if rows and all(row.answers().is_blank for row in rows):
            rows[0].required = True
        valid: bool = super().validate(extra_validators)
        return valid

    def add_rows(self, count: int = ADD_ROWS) -> None:
        for _ in range(min(count, MAX_ROWS - len(self.rows.entries))):
            self.rows.append_entry()

    @property
    def can_add_rows(self) -> bool:
        return len(self.rows.entries) < MAX_ROWS

    def checked_rows(self) -> list[tuple[int, CheckedRow]]:
        """(row index as posted, checked row) for each non-blank row, after ``validate()``."""
        return [
            (int(entry.name.rsplit("-", 1)[1]), entry.form.checked)
            for entry in self.rows.entries
            if entry.form.checked is not None
        ]


class ThemeCorrectionForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A person's choice of a concern's primary theme; theme choices come from config."""

    theme = SelectField("Theme", validate_choice=False)

    def __init__(self, *args: Any, theme_choices: Sequence[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.theme.choices = [SelectChoice(v, label) for v, label in theme_choices]

    def validate_theme(self, field: Any) -> None:
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Select a theme from the list")
