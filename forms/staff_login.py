"""Staff sign-in, the two-factor code, and changing your own password."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import Field, PasswordField, StringField
from wtforms.validators import ValidationError

EMAIL_MAX = 320
# Refuse absurd input before it reaches the password hasher.
PASSWORD_MAX = 256


def _required(message: str, maximum: int, too_long: str) -> Any:
    def check(form: FlaskForm, field: Field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(message)
        if len(field.data) > maximum:
            raise ValidationError(too_long)

    return check


class _StaffForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    class Meta:
        locales = ("en_GB", "en")


class SignInForm(_StaffForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            _required(
                "Enter your email address",
                EMAIL_MAX,
                f"Email address must be {EMAIL_MAX} characters or fewer",
            )
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            _required(
                "Enter your password",
                PASSWORD_MAX,
                "The email address or password is not right",
            )
        ],
    )


class CodeForm(_StaffForm):
    code = StringField(
        "Security code",
        description="The 6-digit code your authenticator app shows now",
        widget=GovTextInput(),
        validators=[_required("Enter the 6-digit code from your app", 20, "Enter 6 digits")],
    )


class ChangePasswordForm(_StaffForm):
    current_password = PasswordField(
        "Current password",
        description="If an admin gave you a one-time password, enter it here",
        widget=GovPasswordInput(),
        validators=[
            _required(
                "Enter your current password",
                PASSWORD_MAX,
                "Your current password is not right",
            )
        ],
    )
    new_password = PasswordField(
        "New password",
        description=(
            "Use 12 characters or more. Three or more random words are easy to remember "
            "and hard to guess. Do not use your name or email address."
        ),
        widget=GovPasswordInput(),
        validators=[
            _required(
                "Enter a new password",
                PASSWORD_MAX,
                f"Password must be {PASSWORD_MAX} characters or fewer",
            )
        ],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[_required("Enter your new password again", PASSWORD_MAX, "Passwords differ")],
    )

    def validate_confirm_password(self, field: Field) -> None:
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError("The passwords do not match: enter the same new password twice")
