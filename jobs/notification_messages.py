"""The e-mails residents get about their panel's priorities: plain English, plain text.

A message says what the priority is or what was done, links to the public page, gives the
resident's own reference and says how to stop hearing from us. It holds nothing about
anyone else, and nothing the resident wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from engage.stop_message_links import stop_url


@dataclass(frozen=True)
class Outgoing:
    """One notification as read, with its address, at the moment it is sent."""

    notification_id: int
    concern_id: int
    kind: str
    reference: str
    email: str
    panel_name: str
    panel_slug: str
    wording: str
    owner: str
    set_on: date
    review_on: date
    action_description: str | None
    action_taken_on: date | None


@dataclass(frozen=True)
class Sender:
    """Who the message is from, where replies go, and where the public pages live."""

    address: str
    reply_to: str
    organisation: str
    public_url: str
    # Signs the one-click link that stops further messages (engage.stop_message_links).
    link_secret: str


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def page_url(sender: Sender, slug: str) -> str:
    return f"{sender.public_url.rstrip('/')}/priorities/{slug}"


def message_id(sender: Sender, notification_id: int) -> str:
    """The same Message-ID on every attempt, so a mail system can tell a resend apart."""
    domain = sender.address.rpartition("@")[2] or "localhost"
    return f"<notification-{notification_id}@{domain}>"


def compose(outgoing: Outgoing, sender: Sender, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender.address
    message["To"] = outgoing.email
    message["Reply-To"] = sender.reply_to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(sender, outgoing.notification_id)
    stop = stop_url(sender.public_url, sender.link_secret, outgoing.concern_id)
    # RFC 8058: mail programs offer their own "unsubscribe" and POST to the link.
    message["List-Unsubscribe"] = f"<{stop}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if outgoing.kind == "action_recorded":
        message["Subject"] = f"What was done about a People's Priority: {outgoing.panel_name}"
        opening = _action_opening(outgoing)
    else:
        message["Subject"] = (
            f"A People's Priority covers the issue you raised: {outgoing.panel_name}"
        )
        opening = _priority_opening(outgoing)
    lines = [
        f"Your reference: {outgoing.reference}",
        "",
        *opening,
        "",
        "See all the priorities for your area and what has been done about them:",
        page_url(sender, outgoing.panel_slug),
        "",
        "Why you are getting this email",
        "You agreed that we could contact you about the issue you raised. We only write when "
        "a priority covering it is set or something is done about it.",
        "",
        "To stop hearing from us, open this link: we will delete your contact details. What "
        "you told us still counts.",
        stop,
        f"Or reply to this email, or write to {sender.reply_to}, giving your reference "
        f"{outgoing.reference}.",
        "",
        sender.organisation,
        "This is not a way to report a crime. In an emergency call 999. Otherwise call 101.",
    ]
    message.set_content("\n".join(lines))
    return message


def _priority_opening(outgoing: Outgoing) -> list[str]:
    return [
        "You told us about an issue where you live. On "
        f"{long_date(outgoing.set_on)} the {outgoing.panel_name} agreed a People's Priority "
        "that covers it:",
        "",
        f"  {outgoing.wording}",
        "",
        f"Responsible: {outgoing.owner}",
        f"To be reviewed by: {long_date(outgoing.review_on)}",
    ]


def _action_opening(outgoing: Outgoing) -> list[str]:
    taken = outgoing.action_taken_on
    return [
        "Something has been done about a People's Priority that covers the issue you raised.",
        "",
        f"The priority: {outgoing.wording}",
        "",
        f"What was done{f' on {long_date(taken)}' if taken else ''}:",
        f"  {outgoing.action_description or ''}",
        "",
        f"Responsible: {outgoing.owner}",
    ]
