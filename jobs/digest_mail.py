"""E-mailing a digest: off unless SMTP settings and recipients are both configured.

SMTP settings come from the environment (``ENGAGE_SMTP_HOST``, ``_PORT``, ``_USER``,
``_PASSWORD``, ``_FROM``; see ``smtp_settings_from_environ``) and reach the job as
``context.settings["smtp"]``; recipients are listed in ``config/digests.yaml``.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from jobs.digest_model import DigestData

DEFAULT_PORT = 587


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = True


def smtp_settings_from_environ(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The ``smtp`` job setting read from ENGAGE_SMTP_* variables; None when no host is set."""
    host = environ.get("ENGAGE_SMTP_HOST", "").strip()
    if not host:
        return None
    port = int(environ.get("ENGAGE_SMTP_PORT", "") or DEFAULT_PORT)
    return {
        "host": host,
        "port": port,
        "user": environ.get("ENGAGE_SMTP_USER") or None,
        "password": environ.get("ENGAGE_SMTP_PASSWORD") or None,
        "from": environ.get("ENGAGE_SMTP_FROM") or f"engage@{host}",
        "starttls": environ.get("ENGAGE_SMTP_STARTTLS", "1" if port == 587 else "0") != "0",
    }


def smtp_from(settings: Mapping[str, Any]) -> SmtpSettings | None:
    smtp = settings.get("smtp")
    if not smtp or not smtp.get("host"):
        return None
    port = int(smtp.get("port") or DEFAULT_PORT)
    return SmtpSettings(
        host=str(smtp["host"]),
        port=port,
        sender=str(smtp.get("from") or smtp.get("sender") or f"engage@{smtp['host']}"),
        user=smtp.get("user") or smtp.get("username"),
        password=smtp.get("password"),
        starttls=bool(smtp.get("starttls", port == DEFAULT_PORT)),
    )


def recipients_from(settings: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Recipients from the job settings (tests, one-off runs) or else config/digests.yaml."""
    chosen = settings.get("digest_recipients")
    if chosen is None:
        chosen = (config.get("email") or {}).get("recipients") or []
    return [str(r).strip() for r in chosen if str(r).strip()]


def digest_message(
    smtp: SmtpSettings, recipients: list[str], data: DigestData, folder: Path, pdf: Path | None
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"People's Priorities: {data.title}"
    message["From"] = smtp.sender
    message["To"] = ", ".join(recipients)
    top = ", ".join(f"{t.name} ({t.count})" for t in data.top_themes[:3]) or "none"
    share = data.dealing.share
    lines = [
        f"{data.title}",
        "",
        f"Concerns raised: {data.total} ({data.previous_total} in {data.previous.label}).",
        f"Top themes: {top}.",
        f"Emerging issues flagged: {len(data.emerging)}. New topics: {len(data.new_topics)}.",
        "Feel local concerns are dealt with: "
        + ("no answers" if share is None else f"{share:.1%}")
        + f" (plan baseline {data.dealing.baseline:.1%}).",
        "",
        "The full digest is attached as a PDF and an accessible HTML page; the tables are in",
        f"the outbox folder {folder.name}.",
    ]
    message.set_content("\n".join(lines))
    html = folder / "digest.html"
    message.add_attachment(
        html.read_bytes(), maintype="text", subtype="html", filename="digest.html"
    )
    if pdf is not None:
        message.add_attachment(
            pdf.read_bytes(), maintype="application", subtype="pdf", filename="digest.pdf"
        )
    return message


def smtp_client(smtp: SmtpSettings) -> smtplib.SMTP:
    """A connected (and, when configured, secured and signed-in) SMTP client; close it with
    ``with`` or ``quit()``."""
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=30)
    try:
        if smtp.starttls:
            client.starttls()
        if smtp.user and smtp.password:
            client.login(smtp.user, smtp.password)
    except BaseException:
        client.close()
        raise
    return client


def send_digest(
    smtp: SmtpSettings, recipients: list[str], data: DigestData, folder: Path, pdf: Path | None
) -> None:
    message = digest_message(smtp, recipients, data, folder, pdf)
    with smtp_client(smtp) as client:
        client.send_message(message)
