"""Security headers on every response, with a per-request nonce for our scripts.

No ``'unsafe-inline'`` anywhere: templates carry no ``style`` or ``on*`` attributes and every
``<script>`` has the nonce (``tests/engage/security`` checks every page for both). HSTS is
sent only when cookies are Secure, which is what the Production settings switch on.
"""

from __future__ import annotations

from flask import Flask, Response, request

from engage.template_globals import csp_nonce

ASSET_PREFIX = "/assets/"
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(nonce: str) -> str:
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = HSTS
        if not request.path.startswith(ASSET_PREFIX):
            # Pages can hold what a resident typed: never keep them in a shared cache.
            headers["Cache-Control"] = "no-store"
        return response
