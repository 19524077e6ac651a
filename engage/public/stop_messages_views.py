"""``/stop-messages/<token>``: a resident stops further messages with the link we sent them.

The page asks before anything is deleted, as a link may be opened by a mail scanner; mail
programs that offer their own "unsubscribe" POST to the same address (RFC 8058), without a
CSRF token, which is why the POST is exempt: the signed token is what authorises it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import abort, current_app, render_template

from engage.auth.access import public
from engage.extensions import csrf, db
from engage.models import Concern
from engage.public import blueprint
from engage.services.data_protection import stop_messages
from engage.stop_message_links import concern_of


def _concern_id(token: str) -> int:
    concern_id = concern_of(str(current_app.config["SECRET_KEY"]), token)
    if concern_id is None:
        abort(404)
    return concern_id


@blueprint.get("/stop-messages/<token>")
@public
def stop_messages_page(token: str) -> str:
    concern = db.session().get(Concern, _concern_id(token))
    if concern is None:
        abort(404)
    return render_template("public/stop_messages.html", reference=concern.reference)


@blueprint.post("/stop-messages/<token>")
@public
def stop_messages_confirmed(token: str) -> str:
    outcome = stop_messages(
        db.session(),
        _concern_id(token),
        now=datetime.now(UTC),
        outbox_dir=Path(current_app.config["ENGAGE_OUTBOX_DIR"]),
    )
    if outcome is None:
        abort(404)
    return render_template("public/stop_messages_done.html", already=outcome == "already")


csrf.exempt(stop_messages_confirmed)
