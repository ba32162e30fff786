"""The inbox and item pages: filters, search, evidence highlighted, tenant isolation, escaping."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from services.pipeline.events import DeliveryAttempt
from services.web.models import Item
from services.web.readmodel import record_attempt
from tests.notify.test_escaping import corpus_titles
from tests.web.conftest import CHINESE, ENGLISH, FRENCH, WebApp, classified

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "link", "body", "a", "header", "nav", "div", "span", "form", "input",
    "button", "main", "aside", "h1", "h2", "label", "p", "section", "ol", "li", "time", "ul", "small", "mark",
    "article", "table", "thead", "tbody", "tr", "th", "td", "q", "strong", "code", "br",
}  # fmt: skip


class TagCollector(HTMLParser):
    """The element names of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.add(tag)


def _pk(web: WebApp, item_id: str) -> int:
    with web.sessions() as session:
        pk = session.scalar(select(Item.id).where(Item.item_id == item_id))
        assert pk is not None
        return pk


def _deliver(web: WebApp, item_id: str, tenant_id: str, outcome: str = "delivered", error: str | None = None) -> None:
    with web.sessions.begin() as session:
        record_attempt(
            session,
            DeliveryAttempt(
                delivery_id=f"dl-{item_id}-{tenant_id}",
                item_id=item_id,
                subscription_id=f"sub_{tenant_id}",
                tenant_id=tenant_id,
                channel="webhook",
                attempt=1,
                outcome=outcome,  # type: ignore[arg-type]
                status_code=200 if outcome == "delivered" else 500,
                error=error,
                attempted_at=datetime.now(UTC),
            ),
        )


def test_inbox_lists_newest_first_with_chips_and_filters(web: WebApp) -> None:
    web.record(FRENCH, CHINESE, ENGLISH)
    client = web.signed_in(web.alice)
    page = client.get("/").text
    for text in (
        "CNIL",
        "amende",
        "fine",
        "Tencent",
        "国家市场监督管理总局对腾讯处以罚款182.28亿元",
        "news.example.org",
    ):
        assert text in page
    assert 'href="/?regulator=cnil"' in page
    french = client.get("/", params={"q": "amende"}).text
    assert "CNIL inflige" in french and "腾讯" not in french
    chinese = client.get("/", params={"q": "罚款"}).text
    assert "腾讯" in chinese and "CNIL inflige" not in chinese
    filtered = client.get("/", params={"jurisdiction": "US", "action": "fine"}).text
    assert "SEC fines" in filtered and "CNIL inflige" not in filtered


def test_a_bad_date_is_shown_next_to_its_field(web: WebApp) -> None:
    page = web.signed_in(web.alice).get("/", params={"since": "yesterday"}).text
    assert 'id="f-since-error"' in page and 'value="yesterday"' in page


def test_matched_marker_and_deliveries_are_the_tenants_own(web: WebApp) -> None:
    web.record(FRENCH, ENGLISH)
    _deliver(web, "fr-1", "tn_acme", "failed", error="HTTP 500 from hooks.acme.example")
    alice, bob = web.signed_in(web.alice), web.signed_in(web.bob)
    assert "Matched my subscriptions" in alice.get("/").text
    assert "Matched my subscriptions" not in bob.get("/").text
    assert "CNIL inflige" in alice.get("/", params={"matched": "1"}).text
    assert "CNIL inflige" not in bob.get("/", params={"matched": "1"}).text
    pk = _pk(web, "fr-1")
    assert "hooks.acme.example" in alice.get(f"/items/{pk}").text
    bobs = bob.get(f"/items/{pk}").text
    assert "hooks.acme.example" not in bobs and "sub_tn_acme" not in bobs
    assert "None of my subscriptions matched" in bobs


def test_item_page_highlights_each_tags_evidence(web: WebApp) -> None:
    web.record(CHINESE)
    page = web.signed_in(web.alice).get(f"/items/{_pk(web, 'zh-1')}").text
    marks = re.findall(r'<mark class="ev (\w+)" title="[^"]*"><a href="#([\w-]+)">([^<]+)</a>', page)
    assert ("regulator", "tag-regulator-0", "国家市场监督管理总局") in marks
    assert ("company", "tag-company-0", "腾讯") in marks
    assert ("action", "tag-action-0", "罚款") in marks
    assert ("amount", "tag-amount", "182.28亿元") in marks
    assert 'id="tag-action-0"' in page and "95 %" in page and "18,228,000,000 CNY" in page


def test_unknown_item_is_404(web: WebApp) -> None:
    response = web.signed_in(web.alice).get("/items/999999")
    assert response.status_code == 404 and "No such item" in response.text


def test_feed_supplied_strings_render_as_text(web: WebApp) -> None:
    titles = corpus_titles()
    web.record(*(classified(f"x-{n}", title, summary=title, companies=[("evil", title[:60], title[:5])])
                 for n, title in enumerate(titles)))  # fmt: skip
    client = web.signed_in(web.alice)
    collector = TagCollector()
    page = client.get("/").text
    collector.feed(page)
    assert collector.tags <= ALLOWED_TAGS, collector.tags - ALLOWED_TAGS
    assert "&lt;" in page
    item = TagCollector()
    item.feed(client.get(f"/items/{_pk(web, 'x-0')}").text)
    assert item.tags <= ALLOWED_TAGS, item.tags - ALLOWED_TAGS


def test_security_headers(web: WebApp) -> None:
    response = web.client().get("/signin")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert web.client().get("/static/app.css").status_code == 200
