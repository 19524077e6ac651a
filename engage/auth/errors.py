"""What can go wrong with signing in and with accounts, in words staff can act on."""

from __future__ import annotations

from engage.errors import EngageError


class SignInRefused(EngageError):
    """Wrong email, wrong password, locked or deactivated: one message for all, so the
    page never tells a stranger which email addresses have accounts."""

    title = (
        "The email address or password is not right. After 5 wrong tries you must wait "
        "15 minutes before trying again"
    )
    status = 400


class CodeRefused(EngageError):
    title = "The code is not right: enter the 6-digit code your app shows now"
    status = 400


class AccountError(EngageError):
    """An account change that cannot be made; the message says why."""

    title = "The account could not be changed"
    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UserNotFound(EngageError):
    title = "No staff account has this number"
    status = 404
