"""Titles carrying markup or mrkdwn (feedparser's sanitize corpus) arrive escaped in JSON, Slack and email."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import feedparser
from markupsafe import escape
from sqlalchemy import Engine

from services.notify.channels.slack import escape_mrkdwn
from tests.conftest import shared_path
from tests.notify.conftest import Receiver, Running, make_item, wait_for
from tests.notify.test_slack_email import check_block_kit

MRKDWN = "*Bold* _it_ <!channel> <https://evil.example|click here> & "
EMAIL_TAGS = {"html", "head", "meta", "title", "body", "div", "h2", "h3", "a", "p", "hr"}


def corpus_titles() -> list[str]:
    """Raw (unsanitised) titles with markup from the sanitize corpus, plus Slack control sequences."""
    folder = shared_path("feeds", "feedparser-corpus", "wellformed", "sanitize")
    titles = []
    for path in sorted(folder.glob("*title*.xml")):
        parsed = feedparser.parse(str(path), sanitize_html=False)
        found = [e.get("title") for e in parsed.entries if e.get("title")] or [parsed.feed.get("title")]
        if found[0] and "<" in found[0]:
            titles.append(str(found[0]))
    assert len(titles) >= 30
    return [MRKDWN + title for title in titles[:24]]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.add(tag)


def test_markup_in_titles_arrives_escaped_everywhere(
    engine: Engine, receiver: Receiver, smtp: tuple[int, Any], notify_on: Callable[..., Running]
) -> None:
    port, mailbox = smtp
    titles = corpus_titles()
    running = notify_on(engine, start=False, smtp_port=port, slack_min_interval_s=0.0)
    tenant = running.tenant()
    _, secret = running.subscribe(tenant, {"type": "webhook", "url": receiver.url + "/json"})
    receiver.secrets["/json"] = secret or ""
    running.subscribe(tenant, {"type": "webhook", "url": receiver.url + "/slack", "format": "slack"})
    running.subscribe(tenant, {"type": "email", "addresses": ["ops@example.com"]})
    for n, title in enumerate(titles):
        running.intake.ingest(make_item(f"feed:{n}", title=title, summary=title))
    running.start()
    wait_for(lambda: len(receiver.on("/json")) == len(titles), "every JSON alert")
    wait_for(lambda: len(mailbox.messages) == len(titles), "every email")

    # JSON: the exact text, as a JSON string.
    assert sorted(r.json()["data"]["item"]["title"] for r in receiver.on("/json")) == sorted(titles)
    assert receiver.refused == 0

    # Slack: &, < and > escaped; the only "<" left opens the headline's link to the source.
    wait_for(lambda: sum(len(r.json()["blocks"]) for r in receiver.on("/slack")) >= 2 * len(titles), "Slack")
    sections = []
    for received in receiver.on("/slack"):
        message = received.json()
        check_block_kit(message)
        assert "<!channel>" not in json.dumps(message)
        for block in message["blocks"]:
            texts = [block["text"]["text"]] if "text" in block else [e["text"] for e in block.get("elements", [])]
            for text in texts:
                assert text.count("<") == (1 if block["type"] == "section" else 0), text
            if block["type"] == "section":
                sections.append(texts[0])
    assert len(sections) == len(titles)
    assert all(s.startswith("*<https://www.sec.gov/news/1|" + escape_mrkdwn(MRKDWN.strip())) for s in sections)

    # Email: HTML escaped (only the template's own tags), plain text verbatim, one-line subject.
    for _, message in mailbox.messages:
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        html_part, plain_part = message.get_body(("html",)), message.get_body(("plain",))
        assert html_part is not None and plain_part is not None
        html = html_part.get_content().replace("\r\n", "\n")  # type: ignore[attr-defined]
        plain = plain_part.get_content().replace("\r\n", "\n")  # type: ignore[attr-defined]
        parser = Tags()
        parser.feed(html)
        assert parser.tags <= EMAIL_TAGS, parser.tags - EMAIL_TAGS
        assert any(str(escape(title)) in html and title in plain for title in titles)
