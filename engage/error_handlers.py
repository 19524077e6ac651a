"""Every error a person or a client can meet, mapped to a page or a problem document."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engage.errors import EngageError

log = logging.getLogger(__name__)

_PAGES: dict[int, tuple[str, list[str]]] = {
    400: ("Sorry, there is a problem with what was sent", ["Go back and try again."]),
    404: (
        "Page not found",
        [
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
        ],
    ),
    405: ("Sorry, that did not work", ["Go back and try again."]),
    413: (
        "What you sent is too large",
        [
            "Your answers are too long for us to accept. "
            "The issue you want tackled can be up to 2,000 characters.",
            "Go back, shorten your answers and send them again.",
        ],
    ),
    429: ("Too many attempts", ["Wait a minute, then try again."]),
    500: (
        "Sorry, there is a problem with the service",
        ["Try again later. If you were sending a concern, it has not been saved: send it again."],
    ),
}


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str | None = None, **extra: Any) -> Response:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = Response(status=status, content_type="application/problem+json")
    response.set_data(json.dumps(body, ensure_ascii=False))
    return response


def _page(status: int) -> tuple[str, int]:
    heading, paragraphs = _PAGES.get(status, _PAGES[400] if status < 500 else _PAGES[500])
    return render_template("errors/error.html", heading=heading, paragraphs=paragraphs), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Any:
        if request.method == "POST" and request.endpoint == "public.submit":
            from engage.public.expired import render_expired_form

            return render_expired_form()
        return _page(400)

    @app.errorhandler(EngageError)
    def _domain(error: EngageError) -> Any:
        if wants_problem_json():
            return problem(error.status, error.title, str(error) or None)
        return _page(error.status)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        status = error.code or 500
        response = (
            problem(status, error.name, error.description)
            if wants_problem_json()
            else app.make_response(_page(status))
        )
        if status == 429:
            from engage.extensions import retry_after_seconds

            response.headers["Retry-After"] = str(retry_after_seconds())
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        log.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_problem_json():
            return problem(500, "Internal Server Error", "The concern was not saved; try again.")
        return _page(500)
