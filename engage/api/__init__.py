"""The JSON API for other channels: kiosks, partner sites."""

from flask import Blueprint

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

from engage.api import priorities, views  # noqa: E402,F401  (routes register on import)
