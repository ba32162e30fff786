"""Sending a sign-in link: by SMTP when a mail server is configured, else written to the log
(``regalerts users link EMAIL`` prints a link directly)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from services.web.settings import WebSettings

log = logging.getLogger(__name__)


def signin_message(settings: WebSettings, *, to: str, link: str) -> EmailMessage:
    """The sign-in email."""
    minutes = round(settings.web_signin_link_ttl_s / 60)
    message = EmailMessage()
    message["From"] = settings.web_smtp_from
    message["To"] = to
    message["Subject"] = "Your RegAlerts sign-in link"
    message.set_content(
        f"Sign in to RegAlerts:\n\n{link}\n\nThe link works once, within {minutes} minutes.\n"
        "If you did not ask for it, ignore this email."
    )
    return message


def send_signin_link(settings: WebSettings, *, to: str, link: str) -> None:
    """Email the link, or log it when no mail server is configured."""
    if not settings.web_smtp_host:
        log.warning("Sign-in link (no mail server configured)", extra={"email": to, "link": link})
        return
    with smtplib.SMTP(settings.web_smtp_host, settings.web_smtp_port, timeout=30) as smtp:
        smtp.send_message(signin_message(settings, to=to, link=link))
