"""The demo server: verified hooks for the demo's subscriptions, unchecked ones for the user's, and the mail
its SMTP catcher received, every value escaped on the page."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import httpx
import pytest

from services.cli.demo import DemoServer
from services.cli.demo_mail import MailCatcher
from services.notify.signing import generate_secret, sign_headers
from services.pipeline.broker import free_port


@pytest.fixture
def mail() -> Iterator[MailCatcher]:
    catcher = MailCatcher(free_port()).start()
    yield catcher
    catcher.stop()


@pytest.fixture
def demo(mail: MailCatcher) -> Iterator[DemoServer]:
    server = DemoServer(0, mail).start()
    yield server
    server.shutdown()
    server.server_close()


def _alert(alert_id: str, title: str) -> bytes:
    return json.dumps({"type": "alert", "data": {"id": alert_id, "item": {"title": title}}}).encode()


def test_a_demo_hook_needs_a_valid_signature(demo: DemoServer) -> None:
    secret = generate_secret()
    demo.received.secrets["own"] = secret
    body = _alert("al_1", "signed")
    good = httpx.post(f"{demo.url}/hooks/own", content=body, headers=sign_headers([secret], "al_1", body))
    bad = httpx.post(f"{demo.url}/hooks/own", content=body, headers=sign_headers([generate_secret()], "al_1", body))
    assert (good.status_code, bad.status_code) == (204, 401)
    assert demo.received.refused == 1 and demo.received.unchecked == set()


def test_a_hook_the_user_made_is_kept_and_marked_unchecked(demo: DemoServer) -> None:
    assert httpx.post(f"{demo.url}/hooks/acme", content=_alert("al_2", "<b>x</b>")).status_code == 204
    assert httpx.post(f"{demo.url}/hooks/acme", content=b"[1]").status_code == 400
    page = httpx.get(demo.url).text
    assert "signature not checked" in page and "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert [a["data"]["id"] for a in httpx.get(f"{demo.url}/alerts.json").json()] == ["al_2"]
    assert demo.received.unchecked == {"al_2"}


def test_caught_mail_is_listed_and_escaped(demo: DemoServer, mail: MailCatcher) -> None:
    message = EmailMessage()
    message["From"] = "RegAlerts <alerts@localhost>"
    message["To"] = "compliance@acme.example"
    message["Subject"] = "Fine <script>alert(1)</script>"
    message["List-Unsubscribe"] = "<http://127.0.0.1:41003/unsubscribe/t>"
    message.set_content("Unsubscribe: http://127.0.0.1:41003/unsubscribe/t")
    with smtplib.SMTP("127.0.0.1", mail.port, timeout=10) as smtp:
        smtp.send_message(message)
    [caught] = httpx.get(f"{demo.url}/mail.json").json()
    assert caught["to"] == ["compliance@acme.example"]
    assert caught["list_unsubscribe"] == "<http://127.0.0.1:41003/unsubscribe/t>"
    assert "unsubscribe/t" in caught["text"]
    page = httpx.get(demo.url).text
    assert "Mail caught — 1 message(s)" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_an_alert_shows_its_gist_why_it_matched_its_source_and_story_escaped() -> None:
    from services.cli.demo_page import render_page

    report = {"item_id": "i", "title": "t", "published_at": "2026-12-07T10:00:00Z", "language": "fr"}
    envelope = {
        "type": "alert.created",
        "data": {
            "id": "a1",
            "gist": "CAC (China) summoned ByteDance <b>now</b> — security assessment",
            "subscription": {"id": "sub_1", "name": "ByteDance & co"},
            "matched": [{"filter": "companies", "value": "ByteDance", "evidence": ["字节<跳动>"]}],
            "item": {"title": "La Chine convoque", "published_at": "2026-12-07T10:00:00Z", "feed_title": "AFP <wire>"},
            "story": {"reports": [{**report, "feed": "AFP"}, {**report, "feed": "Xinhua", "language": "zh"}]},
        },
    }
    page = render_page([envelope], 0)
    assert "CAC (China) summoned ByteDance &lt;b&gt;now&lt;/b&gt; — security assessment" in page
    assert "subscription “ByteDance &amp; co”" in page and "source AFP &lt;wire&gt;" in page
    assert "Why: companies ByteDance (“字节&lt;跳动&gt;”)" in page
    assert "2 sources: AFP (fr); Xinhua (zh)" in page
    assert "<b>" not in page
