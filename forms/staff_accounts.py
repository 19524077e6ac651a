"""Admin forms for staff accounts: a new account, a role and panel scope, one-click actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from wtforms import Field, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

ROLE_LABELS = {
    "outreach": "Outreach worker: logs outreach sessions and their concerns",
    "analyst": "Analyst: triages, corrects and exports concerns",
    "panel": "Panel member: reads redacted concerns for one district or neighbourhood",
    "commissioner_office": "Commissioner's office: reads every report",
    "admin": "Admin: manages staff accounts",
}
NAME_MAX = 200
NEIGHBOURHOOD_MAX = 80


class _StaffForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    class Meta:
        locales = ("en_GB", "en")


class _Person(_StaffForm):
    # Declared before RoleForm so name and email come first, as on the page.
    name = StringField("Full name", widget=GovTextInput())
    email = StringField(
        "Email address",
        description="They sign in with this address",
        widget=GovTextInput(),
    )

    def validate_name(self, field: Field) -> None:
        field.data = " ".join((field.data or "").split())
        if not field.data:
            raise ValidationError("Enter the person's full name")
        if len(field.data) > NAME_MAX:
            raise ValidationError(f"Name must be {NAME_MAX} characters or fewer")

    def validate_email(self, field: Field) -> None:
        value = (field.data or "").strip()
        if not value:
            raise ValidationError("Enter the person's email address")
        try:
            field.data = validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.org"
            ) from None


class RoleForm(_StaffForm):
    """A role, and for panel members the district (and optionally neighbourhood) they see."""

    role = RadioField("Role", widget=GovRadioInput(), validate_choice=False)
    district = SelectField(
        "District (panel members only)",
        description="Panel members see only concerns from this district",
        widget=GovSelect(),
        validate_choice=False,
    )
    neighbourhood = StringField(
        "Neighbourhood (panel members only, optional)",
        description="Leave empty for the whole district. For example, Arbury or Wisbech",
        widget=GovTextInput(),
    )

    def __init__(
        self,
        *args: Any,
        roles: Sequence[str],
        district_choices: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(role, ROLE_LABELS.get(role, role)) for role in roles]
        self.district.choices = [SelectChoice("", "Not a panel member")] + [
            SelectChoice(value, label) for value, label in district_choices
        ]

    def validate_role(self, field: Field) -> None:
        if field.data not in {choice.value for choice in self.role.choices}:
            raise ValidationError("Select a role")

    def validate_district(self, field: Field) -> None:
        known = {choice.value for choice in self.district.choices if choice.value}
        if field.data and field.data not in known:
            raise ValidationError("Select a district from the list")
        if self.role.data == "panel" and not field.data:
            raise ValidationError("Select the district this panel member covers")

    def validate_neighbourhood(self, field: Field) -> None:
        field.data = " ".join((field.data or "").split())
        if len(field.data) > NEIGHBOURHOOD_MAX:
            raise ValidationError(f"Neighbourhood must be {NEIGHBOURHOOD_MAX} characters or fewer")


class NewUserForm(RoleForm, _Person):
    """A new account: who the person is, then their role."""


class ConfirmForm(_StaffForm):
    """A button that changes something: the form carries only the CSRF token."""
