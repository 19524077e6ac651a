"""``/healthz``: a liveness check for load balancers that touches nothing but the process."""

from __future__ import annotations

from flask import Blueprint, Response

from engage.auth.access import public

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
@public
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")
