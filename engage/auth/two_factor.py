"""Time-based one-time codes (TOTP, RFC 6238): new secrets, the QR code, checking a code."""

from __future__ import annotations

import re
from datetime import datetime

import pyotp
import segno

ISSUER = "Engage staff"
_NOT_DIGIT = re.compile(r"[\s-]+")
_CODE = re.compile(r"^[0-9]{6}$")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """An inline SVG of the QR code (no external image, so the CSP stays strict)."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your app")
    return svg


def normalise_code(code: str) -> str:
    """Authenticator apps show "123 456"; people type it with spaces or a dash."""
    return _NOT_DIGIT.sub("", code or "")


def code_is_valid(secret: str, code: str, now: datetime) -> bool:
    """Accept the current 30-second code and the one either side (clocks drift)."""
    code = normalise_code(code)
    if not _CODE.match(code):
        return False
    return pyotp.TOTP(secret).verify(code, for_time=now, valid_window=1)


def current_code(secret: str, now: datetime) -> str:
    """The code an authenticator app shows at ``now`` (tests and the CLI use it)."""
    return pyotp.TOTP(secret).at(now)
