"""One-click unsubscribe: the List-Unsubscribe header as mail clients read it, and bad links."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from services.notify.api.app import create_app
from services.notify.channels.email import EMAIL_POLICY
from services.notify.models import Unsubscribe
from tests.notify.conftest import Api, Running, ServedApp, make_item, wait_for

LONG_ADDRESS = "regulatory-compliance-team.emea.alerts@subsidiary-holdings.example.com"


def test_a_long_unsubscribe_link_arrives_plain_and_works(
    engine: Engine, smtp: tuple[int, Any], notify_on: Callable[..., Running]
) -> None:
    port, mailbox = smtp
    running = notify_on(engine, smtp_port=port)
    sub_id, _ = running.subscribe(running.tenant(), {"type": "email", "addresses": [LONG_ADDRESS]})
    running.intake.ingest(make_item("feed:1"))
    wait_for(lambda: len(mailbox.messages) == 1, "the email")
    message = mailbox.messages[0][1]
    raw = [value for name, value in message.raw_items() if name.lower() == "list-unsubscribe"]
    assert len(raw) == 1
    found = re.fullmatch(r"<(http://testserver/unsubscribe/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)>", raw[0])
    assert found is not None, raw[0]  # one plain <URL> (RFC 2369), not an RFC 2047 encoded word
    link = found.group(1)
    assert len(f"List-Unsubscribe: <{link}>") > 78  # longer than a folded line: it stayed whole
    plain = message.get_body(("plain",))
    assert plain is not None and link in plain.get_content()  # type: ignore[attr-defined]
    served = ServedApp(create_app(running.context, {}))
    try:
        url = link.replace(running.settings.public_base_url, served.url)
        answer = httpx.post(url, data={"List-Unsubscribe": "One-Click"})  # what a mail client sends (RFC 8058)
        assert answer.status_code == 200 and LONG_ADDRESS in answer.text
    finally:
        served.close()
    with running.context.sessions() as session:
        assert session.get(Unsubscribe, (sub_id, LONG_ADDRESS)) is not None


def test_a_non_ascii_token_is_an_invalid_link(api: Api) -> None:
    for token in ("abc.%C3%A9", "%C3%A9.abc", "%E2%80%AE.%F0%9F%92%A9"):
        for method in ("GET", "POST"):
            answer = api.client.request(method, f"/unsubscribe/{token}")
            assert answer.status_code == 404, (method, token, answer.text)
            assert "Link not valid" in answer.text


def test_only_plain_ascii_is_written_verbatim() -> None:
    message = EmailMessage(policy=EMAIL_POLICY)
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        message["List-Unsubscribe"] = "<https://x.example/u/1>\r\nBcc: victim@example.com"
    message["List-Unsubscribe"] = "<https://x.example/u/é>"
    folded = message.as_bytes()
    assert b"Bcc" not in folded and b"List-Unsubscribe: =?utf-8?" in folded  # folded the usual, safe way
