"""Email over SMTP: multipart plain text + HTML, one-click unsubscribe (RFC 8058), no header injection."""

from __future__ import annotations

import time
from collections.abc import Callable
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy, Policy
from email.utils import formatdate, make_msgid

import aiosmtplib

from services.notify.channels import Batch, Outcome
from services.notify.payload import one_per_story
from services.notify.render import group_by_regulator, render_template
from services.notify.schemas import NOT_AN_ADDRESS, email_address
from services.notify.settings import NotifySettings

SUBJECT_CHARS = 150
MAX_LINE = 998  # RFC 5322's hard limit on a header line


class VerbatimHeader(UnstructuredHeader, BaseHeader):
    """A header written on one line exactly as given: folding a long unbreakable URL would turn it into an
    RFC 2047 encoded word, and mail clients no longer find the link (RFC 2369 wants ``<URL>`` as is).

    Only plain printable ASCII without spaces is written verbatim (line breaks are refused anyway when
    the header is set); anything else is folded the usual, safe way.
    """

    def fold(self, *, policy: Policy) -> str:
        """``Name: value`` and the policy's line separator."""
        line = f"{self.name}: {self}"
        if len(line) > MAX_LINE or not all(33 <= ord(ch) < 127 for ch in str(self)):
            return str(super().fold(policy=policy))
        return line + policy.linesep


def _policy() -> EmailPolicy[EmailMessage]:
    registry = HeaderRegistry()
    registry.map_to_type("list-unsubscribe", VerbatimHeader)
    return policy.SMTP.clone(header_factory=registry)


# SMTP's policy (CRLF, no line breaks in header values), with List-Unsubscribe kept verbatim.
EMAIL_POLICY = _policy()

# Builds the one-click unsubscribe URL of (subscription id, address).
UnsubscribeLink = Callable[[str, str], str]


def sanitise_header(text: str, limit: int = SUBJECT_CHARS) -> str:
    """One line of printable text: control characters (CR and LF among them) become spaces, then clipped."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def _sendable(address: str) -> bool:
    """Whether a stored address still validates, unchanged by normalising."""
    try:
        return email_address(address) == address
    except ValueError:
        return False


def subject_of(batch: Batch) -> str:
    """``[RegAlerts] SEC: title`` for one alert, ``[RegAlerts] Digest: 3 alerts — name`` for several."""
    if batch.digest or len(batch.alerts) > 1:
        return sanitise_header(f"[RegAlerts] Digest: {len(batch.alerts)} alerts — {batch.target.name}")
    alert = batch.alerts[0]
    regulator = alert.regulators[0].acronym or alert.regulators[0].name if alert.regulators else ""
    prefix = "[RegAlerts] " + ("Updated: " if alert.kind == "updated" else "")
    return sanitise_header(f"{prefix}{regulator + ': ' if regulator else ''}{alert.item.title}")


def render_email(batch: Batch, *, sender: str, recipient: str, unsubscribe_url: str) -> EmailMessage:
    """The message for one recipient (pure). The SMTP policy refuses CR/LF in any header value; the
    unsubscribe URL goes out verbatim (RFC 2369, RFC 8058)."""
    digest = batch.digest or len(batch.alerts) > 1
    groups = group_by_regulator(one_per_story(batch.alerts)) if digest else [group_by_regulator(batch.alerts)[0]]
    subject = subject_of(batch)
    context = {
        "groups": groups,
        "digest": digest,
        "subject": subject,
        "subscription_name": batch.target.name,
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMessage(policy=EMAIL_POLICY)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="regalerts")
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["X-RegAlerts-Alert-Id"] = batch.message_id
    message.set_content(render_template("alert.txt.j2", **context))
    message.add_alternative(render_template("alert.html.j2", **context), subtype="html")
    return message


class EmailChannel:
    """Sends one message per recipient over one SMTP connection."""

    name = "email"

    def __init__(self, settings: NotifySettings, unsubscribe_link: UnsubscribeLink) -> None:
        self._settings = settings
        self._link = unsubscribe_link

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            username=s.smtp_user or None,
            password=s.smtp_password or None,
            timeout=s.smtp_timeout_s,
        )

    async def send(self, batch: Batch) -> Outcome:
        """Render one message per address and send them all; any SMTP error fails the batch.

        The envelope recipient is the stored address itself, never one parsed back out of the ``To`` header;
        a stored address that no longer validates is not sent to."""
        target = batch.target
        if not target.addresses:
            return Outcome(delivered=False, error="no address left (all unsubscribed)", gone=True)
        addresses = [address for address in target.addresses if _sendable(address)]
        if not addresses:
            return Outcome(delivered=False, error=f"no valid address left: {NOT_AN_ADDRESS}", gone=True)
        messages = [
            render_email(
                batch,
                sender=self._settings.smtp_from,
                recipient=address,
                unsubscribe_url=self._link(target.subscription_id, address),
            )
            for address in addresses
        ]
        started = time.perf_counter()
        try:
            async with self._client() as smtp:
                for address, message in zip(addresses, messages, strict=True):
                    await smtp.send_message(message, recipients=[address])
        except (aiosmtplib.SMTPException, OSError) as exc:
            latency = (time.perf_counter() - started) * 1000
            return Outcome(delivered=False, latency_ms=latency, error=f"{type(exc).__name__}: {exc}"[:500])
        return Outcome(delivered=True, status_code=250, latency_ms=(time.perf_counter() - started) * 1000)
