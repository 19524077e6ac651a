"""Finding a resident's records for a subject access or erasure request, and confirming an
erasure by typing a word (a button alone is too easy to press by mistake)."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field, HiddenField, StringField
from wtforms.validators import ValidationError

EMAIL_MAX = 320
PHONE_MAX = 40
CONFIRMATION_WORD = "erase"
_PHONE = re.compile(r"\+?[\d\s\-().]{6,}")


class _StaffForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    class Meta:
        locales = ("en_GB", "en")


def _stripped(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


class PersonSearchForm(_StaffForm):
    email = StringField(
        "Email address",
        description="The address the person gave with their concerns",
        widget=GovTextInput(),
        filters=[_stripped],
    )
    phone = StringField(
        "Phone number",
        description="Or the phone number they gave, in any format",
        widget=GovTextInput(),
        filters=[_stripped],
    )

    def validate_email(self, field: Field) -> None:
        if not field.data and not self.phone.data:
            raise ValidationError("Enter an email address or a phone number")
        if field.data and (len(field.data) > EMAIL_MAX or "@" not in field.data):
            raise ValidationError(
                "Enter an email address in the right format, like name@example.com"
            )

    def validate_phone(self, field: Field) -> None:
        if field.data and (len(field.data) > PHONE_MAX or not _PHONE.fullmatch(field.data)):
            raise ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")


class EraseForm(_StaffForm):
    email = HiddenField(filters=[_stripped])
    phone = HiddenField(filters=[_stripped])
    confirmation = StringField(
        f"To confirm, type the word ‘{CONFIRMATION_WORD}’",  # noqa: RUF001 - typographic quotes
        widget=GovTextInput(),
        filters=[_stripped],
    )

    def validate_confirmation(self, field: Field) -> None:
        if (field.data or "").lower() != CONFIRMATION_WORD:
            raise ValidationError(f"Type the word {CONFIRMATION_WORD} to erase these records")
