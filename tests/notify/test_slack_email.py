"""Slack (Block Kit, checked with slack_sdk's block models) and email (a real aiosmtpd server)."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from slack_sdk.models.blocks import Block
from sqlalchemy import Engine, update

from services.notify.api.app import create_app
from services.notify.models import Delivery, Subscription
from services.notify.tokens import read_token
from services.pipeline.broker import free_port
from services.pipeline.db import utcnow
from tests.notify.conftest import Receiver, Running, ServedApp, _Mailbox, make_item, wait_for


def check_block_kit(message: dict[str, Any]) -> None:
    """Every block parses as a slack_sdk block model, keeps all its fields and passes its validation."""
    assert isinstance(message["text"], str) and message["text"]
    assert 1 <= len(message["blocks"]) <= 50
    for raw in message["blocks"]:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
        assert block.to_dict() == raw


def test_slack_burst_is_coalesced_into_valid_block_kit_messages(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine, start=False, slack_max_alerts_per_message=10)
    running.subscribe(running.tenant(), {"type": "webhook", "url": receiver.url + "/slack", "format": "slack"})
    regulators = [("fca", "Financial Conduct Authority", "FCA", "GB", 0.9)]
    for n in range(12):
        running.intake.ingest(make_item(f"feed:{n}", title=f"Alert {n} for Acme", regulators=regulators))
    running.start()

    def alerts_received() -> int:
        return sum(b["type"] == "section" for r in receiver.on("/slack") for b in r.json()["blocks"])

    wait_for(lambda: alerts_received() == 12, "every alert")
    messages = [r.json() for r in receiver.on("/slack")]
    assert len(messages) == 2  # 10 + 2: a burst is coalesced, not dropped
    for message in messages:
        check_block_kit(message)
        assert "webhook-signature" not in receiver.on("/slack")[0].headers
    first = messages[0]["blocks"]
    assert first[0] == {"type": "header", "text": {"type": "plain_text", "text": "10 regulatory alerts"}}
    section = next(b for b in first if b["type"] == "section")["text"]["text"]
    assert section.startswith("*<https://www.sec.gov/news/1|Alert ")
    facts = next(b for b in first if b["type"] == "context")["elements"][0]["text"]
    for part in ("Regulator: FCA", "Action: fine", "Companies: Acme Corp", "Jurisdiction: US", "Language: en"):
        assert part in facts
    wait_for(lambda: all(d.status == "delivered" for d in running.deliveries()), "all recorded")


def test_slack_429_is_honoured_and_retried(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine, retry_schedule_s=[0.01, 0.01])
    running.subscribe(running.tenant(), {"type": "webhook", "url": receiver.url + "/slack", "format": "slack"})
    receiver.answer("/slack", (429, {"Retry-After": "0.3"}))
    running.intake.ingest(make_item("feed:1"))
    wait_for(lambda: len(receiver.on("/slack")) == 1, "the alert after the 429")
    wait_for(lambda: running.deliveries()[0].status == "delivered", "the delivery to be recorded")
    wait_for(lambda: [a.status_code for a in running.published] == [429, 200], "both attempts published")
    check_block_kit(receiver.on("/slack")[0].json())


def _parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    return str(plain.get_content()), str(html.get_content())  # type: ignore[attr-defined]


def test_email_multipart_with_working_one_click_unsubscribe(
    engine: Engine, smtp: tuple[int, Any], notify_on: Callable[..., Running]
) -> None:
    port, mailbox = smtp
    running = notify_on(engine, smtp_port=port)
    addresses = ["ops@example.com", "legal@example.com"]
    sub_id, secret = running.subscribe(running.tenant(), {"type": "email", "addresses": addresses})
    assert secret is None
    running.intake.ingest(make_item("feed:1"))
    wait_for(lambda: len(mailbox.messages) == 2, "one email per address")
    by_rcpt = {rcpt[0]: message for rcpt, message in mailbox.messages}
    message = by_rcpt["ops@example.com"]
    assert message["Subject"] == "[RegAlerts] SEC: SEC fines Acme Corp $5m over disclosures"
    assert message["To"] == "ops@example.com" and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = _parts(message)
    assert "SEC fines Acme Corp $5m over disclosures" in plain and "Regulator: SEC" in plain
    assert '<a href="https://www.sec.gov/news/1">SEC fines Acme Corp $5m over disclosures</a>' in html
    link = message["List-Unsubscribe"].strip("<>")
    assert link in plain and link in html
    served = ServedApp(create_app(running.context, {}))
    try:
        url = link.replace(running.settings.public_base_url, served.url)
        page = httpx.get(url)
        assert page.status_code == 200 and "ops@example.com" in page.text and '<form method="post"' in page.text
        assert httpx.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # RFC 8058 one click
        assert httpx.post(url[:-3] + "xyz").status_code == 404  # a tampered token does nothing
    finally:
        served.close()
    running.intake.ingest(make_item("feed:2"))
    wait_for(lambda: len(mailbox.messages) == 3, "the next alert")
    assert mailbox.messages[-1][0] == ["legal@example.com"]
    token = link.rsplit("/", 1)[1]
    assert read_token(running.settings.unsubscribe_secret, token) == (sub_id, "ops@example.com")


def test_email_digest_groups_alerts_by_regulator(
    engine: Engine, smtp: tuple[int, Any], notify_on: Callable[..., Running]
) -> None:
    port, mailbox = smtp
    running = notify_on(engine, smtp_port=port)
    channel = {"type": "email", "addresses": ["ops@example.com"]}
    running.subscribe(
        running.tenant(), channel, mode="digest", digest={"frequency": "hourly", "timezone": "Asia/Kolkata"}
    )
    fca = [("fca", "Financial Conduct Authority", "FCA", "GB", 0.9)]
    running.intake.ingest(make_item("feed:1", title="First SEC item"))
    running.intake.ingest(make_item("feed:2", title="An FCA item", regulators=fca))
    running.intake.ingest(make_item("feed:3", title="Second SEC item"))
    pending = running.deliveries()
    assert {d.status for d in pending} == {"pending"}
    assert all(d.next_attempt_at > utcnow() and d.next_attempt_at.minute in (0, 30) for d in pending)
    with running.context.sessions.begin() as session:  # the period ends now
        session.execute(update(Delivery).values(next_attempt_at=utcnow()))
    running.worker.wake()
    wait_for(lambda: len(mailbox.messages) == 1, "the digest")
    message = mailbox.messages[0][1]
    assert message["Subject"].startswith("[RegAlerts] Digest: 3 alerts")
    plain, html = _parts(message)
    fca_at, sec_at = plain.index("== Financial Conduct Authority =="), plain.index("== Securities and Exchange")
    assert fca_at < plain.index("An FCA item") < sec_at < plain.index("First SEC item")
    assert "<h2>Financial Conduct Authority</h2>" in html and "Second SEC item" in html


def test_email_logs_in_with_the_configured_credentials(engine: Engine, notify_on: Callable[..., Running]) -> None:
    mailbox = _Mailbox()
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        logins.append((data.login, data.password))
        return AuthResult(success=(data.login, data.password) == (b"notify", b"s3cret"), handled=False)

    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_required=False,
        auth_require_tls=False,
    )
    controller.start()
    try:
        running = notify_on(engine, smtp_port=port, smtp_user="notify", smtp_password="s3cret", retry_schedule_s=[])
        running.subscribe(running.tenant(), {"type": "email", "addresses": ["ops@example.com"]})
        running.intake.ingest(make_item("feed:1"))
        wait_for(lambda: len(mailbox.messages) == 1, "the authenticated email")
        assert logins == [(b"notify", b"s3cret")]
        running.stop()  # the next worker, alone on the store, has the wrong password
        wrong = notify_on(engine, smtp_port=port, smtp_user="notify", smtp_password="wrong", retry_schedule_s=[])
        wrong.subscribe(wrong.tenant(), {"type": "email", "addresses": ["ops@example.com"]})
        wrong.intake.ingest(make_item("feed:2"))
        wait_for(lambda: {d.status for d in wrong.deliveries()} == {"delivered", "dead"}, "the refused login")
        wait_for(lambda: [a.outcome for a in wrong.published] == ["dead", "dead"], "the attempts published")
        assert len(mailbox.messages) == 1 and "535" in (wrong.published[0].error or "")
    finally:
        controller.stop()


def test_an_address_given_twice_gets_each_alert_once(
    engine: Engine, smtp: tuple[int, Any], notify_on: Callable[..., Running]
) -> None:
    port, mailbox = smtp
    running = notify_on(engine, smtp_port=port)
    addresses = ["ops@example.com", "ops@EXAMPLE.com", "ops@example.com"]
    running.subscribe(running.tenant(), {"type": "email", "addresses": addresses})
    running.intake.ingest(make_item("feed:1"))
    wait_for(lambda: [d.status for d in running.deliveries()] == ["delivered"], "the delivery")
    assert [rcpt for rcpt, _ in mailbox.messages] == [["ops@example.com"]]
    with running.context.sessions.begin() as session:  # a row stored with a repeat still sends once
        session.execute(update(Subscription).values(addresses=["ops@example.com", "ops@example.com"]))
    running.intake.ingest(make_item("feed:2"))
    wait_for(
        lambda: {d.status for d in running.deliveries()} == {"delivered"} and len(running.deliveries()) == 2, "both"
    )
    assert [rcpt for rcpt, _ in mailbox.messages] == [["ops@example.com"]] * 2
