"""Normalisation: ids, canonical links, plain text and sanitised HTML, times and language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from services.ingest.normalise import FeedContext, canonical_link, item_id, language_code, normalise
from services.ingest.parser import ParsedEntry
from services.ingest.text import clean_html, plain_text

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CONTEXT = FeedContext(feed_id="f1", feed_url="https://example.org/feed.xml", regulator="us-sec", jurisdiction="US")


def entry(**fields: object) -> ParsedEntry:
    values: dict[str, object] = {
        "guid": "g",
        "link": "https://example.org/a",
        "title_html": "T",
        "summary_html": "",
        "published": NOW - timedelta(hours=1),
    }
    values.update(fields)
    return ParsedEntry(**values)  # type: ignore[arg-type]


def test_plain_text_strips_markup_and_decodes_entities() -> None:
    assert plain_text("<p>Fine of &euro;5&nbsp;m for <b>AT&amp;T</b></p>") == "Fine of €5 m for AT&T"
    assert plain_text("<script>alert(1)</script>Hello <style>p{}</style>world") == "Hello world"
    assert plain_text("&lt;script&gt;alert(1)&lt;/script&gt;Escaped") == "Escaped"
    assert plain_text("&amp;lt;b&amp;gt;twice&amp;lt;/b&amp;gt;") == "twice"
    assert plain_text("x < 5 and y > 3") == "x < 5 and y > 3"
    assert plain_text("  many \n\t spaces ") == "many spaces"


def test_clean_html_keeps_safe_markup_only() -> None:
    cleaned = clean_html(
        '<p onclick="x()">Hi <a href="javascript:alert(1)">x</a> <a href="https://e.org">y</a>'
        "<script>bad()</script><img src=x onerror=alert(1)></p>"
    )
    assert "onclick" not in cleaned and "javascript:" not in cleaned and "script" not in cleaned
    assert "onerror" not in cleaned
    assert '<a href="https://e.org" rel="noopener noreferrer nofollow">y</a>' in cleaned


def test_canonical_link_drops_tracking_and_fragments() -> None:
    link = canonical_link("HTTPS://Example.ORG:443/a?id=3&utm_source=rss&utm_medium=x&fbclid=abc#top", "https://x/")
    assert link == "https://example.org/a?id=3"
    assert canonical_link("/news/1?gclid=1", "http://example.org:8080/feed") == "http://example.org:8080/news/1"
    assert canonical_link("javascript:alert(1)", "https://x/") is None
    assert canonical_link("", "https://x/") is None


def test_item_id_prefers_guid_then_link_then_hash() -> None:
    by_guid = item_id("f", guid="g1", link="https://e/1", title="t", published=None)
    assert by_guid == item_id("f", guid="g1", link="https://e/other", title="other", published=NOW)
    assert by_guid != item_id("other-feed", guid="g1", link=None, title="t", published=None)
    by_link = item_id("f", guid=None, link="https://e/1", title="t", published=None)
    assert by_link == item_id("f", guid="  ", link="https://e/1", title="changed", published=NOW)
    by_hash = item_id("f", guid=None, link=None, title="t", published=NOW)
    assert by_hash != item_id("f", guid=None, link=None, title="t", published=NOW + timedelta(days=1))
    assert len({by_guid, by_link, by_hash}) == 3


def test_normalised_item_carries_hints_and_plain_text() -> None:
    item = normalise(
        entry(
            title_html="<b>SEC</b> charges &amp; fines",
            summary_html="<p>Body <i>text</i></p>",
            authors=["<b>Press</b>"],
            categories=["Enforcement"],
        ),
        CONTEXT,
        first_seen=NOW,
    )
    assert item.title == "SEC charges & fines"
    assert item.summary == "Body text"
    assert item.summary_html == "<p>Body <i>text</i></p>"
    assert (item.regulator_hint, item.jurisdiction_hint) == ("us-sec", "US")
    assert item.authors == ["Press"] and item.categories == ["Enforcement"]
    assert item.first_seen_at == NOW and item.revision == 1 and not item.is_update


def test_missing_or_future_date_becomes_first_seen() -> None:
    assert normalise(entry(published=None), CONTEXT, first_seen=NOW).published_at == NOW
    assert normalise(entry(published=NOW + timedelta(days=3)), CONTEXT, first_seen=NOW).published_at == NOW
    past = NOW - timedelta(days=3)
    assert normalise(entry(published=past), CONTEXT, first_seen=NOW).published_at == past


def test_language_order_hint_then_entry_then_feed_then_header() -> None:
    text = {"title_html": "La Commission inflige une amende à une entreprise pour abus de position dominante"}
    with_header = FeedContext(**{**CONTEXT.__dict__, "header_language": "de-DE"})
    assert normalise(entry(**text), with_header, first_seen=NOW).language == "de"
    with_feed = FeedContext(**{**with_header.__dict__, "feed_language": "it"})
    assert normalise(entry(**text), with_feed, first_seen=NOW).language == "it"
    assert normalise(entry(language="es-ES", **text), with_feed, first_seen=NOW).language == "es"
    hinted = FeedContext(**{**with_feed.__dict__, "language_hint": "en"})
    assert normalise(entry(language="es", **text), hinted, first_seen=NOW).language == "en"


def test_an_undeclared_language_is_left_to_classify_not_guessed() -> None:
    """py3langid over these headlines said ``nn`` and ``eo``; classify treated that guess as declared."""
    for title in ("SEC fines Tesla over Autopilot claims", "La CNMV multa a Banco Santander"):
        assert normalise(entry(title_html=title), CONTEXT, first_seen=NOW).language is None


def test_language_code() -> None:
    assert language_code("en-US") == "en"
    assert language_code("zh_Hans") == "zh"
    assert language_code("English") is None
    assert language_code(None) is None


def test_the_items_carry_the_feeds_title_as_plain_text() -> None:
    titled = replace(CONTEXT, feed_title="<b>SEC</b> press releases")
    assert normalise(entry(), titled, first_seen=NOW).feed_title == "SEC press releases"
    assert normalise(entry(), CONTEXT, first_seen=NOW).feed_title is None
