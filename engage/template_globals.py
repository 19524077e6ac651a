"""Values every template can use: the service's name, the advice lines, the CSP nonce, and
how a channel is named."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, g

from engage.channels import channel_label
from engage.reference_data import reference_data


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


def register_template_globals(app: Flask) -> None:
    @app.context_processor
    def _service() -> dict[str, Any]:
        return {
            "service": reference_data().service,
            "cspNonce": csp_nonce(),
            "channel_label": channel_label,
        }
