"""The residents' pages: tell us your priority, and the pages every public service needs."""

from flask import Blueprint

blueprint = Blueprint("public", __name__)

from engage.public import priorities_views, stop_messages_views, views  # noqa: E402,F401  (routes register on import)
