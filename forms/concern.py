"""The resident's concern form: the one issue they want tackled, where, and how to reach them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovTextInput,
)
from wtforms import BooleanField, Field, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from forms.submission import ConcernSubmission, ContactDetails
from forms.text_rules import has_forbidden_characters, visible_length

CONCERN_QUESTION = (
    "What is the one issue you would like the police to tackle as a priority "
    "in the neighbourhood where you live?"
)
TEXT_MIN, TEXT_MAX = 3, 2000
PLACE_MAX = 200
NAME_MAX = 200
_PHONE_CHARS = re.compile(r"^[0-9+()\-\s.]+$")
_SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _free_text(label: str, *, minimum: int, maximum: int, required: bool) -> Any:
    """A validator for free text: length counted as a person would, no control characters."""

    def check(form: FlaskForm, field: Field) -> None:
        value = field.data or ""
        length = visible_length(value)
        if length == 0:
            if required:
                raise ValidationError(f"Enter {label}")
            return
        if has_forbidden_characters(value):
            raise ValidationError(
                f"{label[0].upper()}{label[1:]} contains hidden characters that we cannot "
                "store: retype it or paste it as plain text"
            )
        if length < minimum:
            raise ValidationError(
                f"{label[0].upper()}{label[1:]} must be {minimum} characters or more"
            )
        if length > maximum:
            raise ValidationError(
                f"{label[0].upper()}{label[1:]} must be {maximum:,} characters or fewer"
                f" (you have {length:,})"
            )

    return check


class ConcernForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """The public form. Choices come from config so the form never reads files itself."""

    class Meta:
        locales = ("en_GB", "en")

    submission_id = HiddenField()
    concern = TextAreaField(
        CONCERN_QUESTION,
        description=(
            "Tell us in your own words, in any language. For example, speeding on your "
            "road, drug dealing, or groups gathering outside the shops."
        ),
        widget=GovCharacterCount(),
        validators=[
            _free_text(
                "the issue you want the police to tackle",
                minimum=TEXT_MIN,
                maximum=TEXT_MAX,
                required=True,
            )
        ],
    )
    district = RadioField(
        "Which district do you live in?",
        description="If you are not sure, enter your postcode in the next question instead.",
        widget=GovRadioInput(),
        validate_choice=False,
    )
    place = StringField(
        "Neighbourhood, village or postcode (optional)",
        description="For example, Arbury, Whittlesey or PE13",
        widget=GovTextInput(),
        validators=[
            _free_text("the neighbourhood or place", minimum=1, maximum=PLACE_MAX, required=False)
        ],
    )
    impact = TextAreaField(
        "How does this issue affect you? (optional)",
        widget=GovCharacterCount(),
        validators=[
            _free_text("how the issue affects you", minimum=1, maximum=TEXT_MAX, required=False)
        ],
    )
    dealing_with_concerns = RadioField(
        "Do you agree that the police and council are dealing with the anti-social behaviour "
        "and crime issues that matter in your area? (optional)",
        widget=GovRadioInput(),
        validate_choice=False,
    )
    age_band = RadioField(
        "How old are you? (optional)", widget=GovRadioInput(), validate_choice=False
    )
    wants_contact = RadioField(
        "Would you like us to tell you what happens next? (optional)",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    contact_name = StringField(
        "Your name (optional)",
        widget=GovTextInput(),
        validators=[_free_text("your name", minimum=1, maximum=NAME_MAX, required=False)],
    )
    contact_email = StringField("Email address", widget=GovTextInput())
    contact_phone = StringField("Phone number", widget=GovTextInput())
    consent = BooleanField(
        "I agree that the Police and Crime Commissioner's office may use these details to "
        "tell me what happens to the issue I raised",
        widget=GovCheckboxInput(),
    )
    urgent_advice_seen = HiddenField()
    # Abuse checks (engage/services/screening.py): when the form was shown, signed, and a
    # field hidden from people and assistive technology that only a robot fills in.
    form_token = HiddenField()
    website = StringField("Leave this field empty")

    def __init__(
        self,
        *args: Any,
        district_choices: Sequence[tuple[str, str]],
        age_band_choices: Sequence[tuple[str, str]],
        dealing_choices: Sequence[tuple[str, str]],
        suggest_district: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.district.choices = _choices(district_choices)
        self.age_band.choices = _choices(age_band_choices)
        self.dealing_with_concerns.choices = _choices(dealing_choices)
        self._suggest_district = suggest_district
        self.district_from_place = False

    def refill(self, formdata: Any) -> None:
        """Take a new submission into this form, as if it had just been built with it:
        every field's data and errors, and what validation worked out, start afresh."""
        self.process(formdata)
        self.district_from_place = False

    def validate_submission_id(self, field: Field) -> None:
        if field.data and not _SUBMISSION_ID.match(field.data):
            field.data = ""

    def validate_district(self, field: Field) -> None:
        known = _values(self.district)
        if field.data in known:
            return
        if field.data:
            raise ValidationError("Select the district you live in from the list")
        suggested = (
            self._suggest_district(self.place.data or "") if self._suggest_district else None
        )
        if suggested is not None:
            field.data = suggested
            self.district_from_place = True
            return
        raise ValidationError("Select the district you live in")

    def validate_dealing_with_concerns(self, field: Field) -> None:
        _optional_choice(field, "Select agree, disagree or don't know")

    def validate_age_band(self, field: Field) -> None:
        _optional_choice(field, "Select your age group from the list")

    def validate_wants_contact(self, field: Field) -> None:
        _optional_choice(field, "Select yes if you would like us to tell you what happens next")

    def validate_contact_email(self, field: Field) -> None:
        if not self.wants_update:
            return
        value = (field.data or "").strip()
        if not value:
            if not (self.contact_phone.data or "").strip():
                raise ValidationError("Enter an email address or a phone number")
            return
        try:
            field.data = validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.com"
            ) from None

    def validate_contact_phone(self, field: Field) -> None:
        if not self.wants_update:
            return
        value = (field.data or "").strip()
        if not value:
            return
        digits = re.sub(r"\D", "", value)
        if not _PHONE_CHARS.match(value) or not 10 <= len(digits) <= 15:
            raise ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")
        field.data = value

    def validate_consent(self, field: Field) -> None:
        if self.wants_update and not field.data:
            raise ValidationError(
                "Confirm that we may use your contact details to tell you what happens next"
            )

    @property
    def wants_update(self) -> bool:
        return bool(self.wants_contact.data == "yes")

    def submission(self) -> ConcernSubmission:
        """The validated answers, normalised; call only after ``validate()`` succeeded."""
        contact = None
        if self.wants_update:
            contact = ContactDetails(
                name=_blank_to_none(self.contact_name.data),
                email=_blank_to_none(self.contact_email.data),
                phone=_blank_to_none(self.contact_phone.data),
            )
        return ConcernSubmission(
            text=self.concern.data,
            district=self.district.data,
            place=_blank_to_none(self.place.data),
            impact=_blank_to_none(self.impact.data),
            dealing_with_concerns=self.dealing_with_concerns.data or None,
            age_band=self.age_band.data or None,
            contact=contact,
            district_from_place=self.district_from_place,
        )


def _optional_choice(field: Field, message: str) -> None:
    if not field.data:
        field.data = None
        return
    if field.data not in _values(field):
        raise ValidationError(message)


def _choices(pairs: Sequence[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _values(field: Field) -> set[str]:
    return {choice.value for choice in field.choices}


def _blank_to_none(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return value.strip()
