"""The demo's mail catcher: an SMTP server (aiosmtpd) on 127.0.0.1 that keeps what notify sends, for the demo
page to show, so email alerts can be tried on a machine with no mail server."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

MAX_CAUGHT = 200


@dataclass
class CaughtMail:
    """The messages received, newest first, as plain fields."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd's hook: keep the message."""
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.insert(0, _fields(list(envelope.rcpt_tos), message))
            del self.messages[MAX_CAUGHT:]
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[dict[str, Any]]:
        """A copy of the messages, newest first."""
        with self.lock:
            return list(self.messages)


def _fields(recipients: list[str], message: Any) -> dict[str, Any]:
    text = ""
    if isinstance(message, EmailMessage):
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
    return {
        "to": recipients,
        "from": str(message.get("From", "")),
        "subject": str(message.get("Subject", "")),
        "list_unsubscribe": str(message.get("List-Unsubscribe", "")),
        "text": text,
    }


class MailCatcher:
    """The SMTP server; ``start()`` listens on 127.0.0.1:port, ``stop()`` closes it."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller  # imported here: only the demo needs it

        self.port = port
        self.caught = CaughtMail()
        self._controller = Controller(self.caught, hostname="127.0.0.1", port=port)

    def start(self) -> MailCatcher:
        """Listen in a background thread."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def environment(self) -> dict[str, str]:
        """The settings that point notify at this server (plain SMTP on loopback)."""
        return {"REGALERTS_SMTP_HOST": "127.0.0.1", "REGALERTS_SMTP_PORT": str(self.port), "REGALERTS_SMTP_TLS": "none"}
