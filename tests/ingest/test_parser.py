"""Parsing RSS 0.9x/1.0/2.0, Atom and JSON Feed 1.1, ill-formed documents and non-UTF-8 encodings."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from services.ingest.parser import FeedParseError, parse_feed

URL = "https://example.org/feed"


def test_rss_091() -> None:
    doc = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>T</title><link>https://example.org/</link>
    <description>d</description><language>en-us</language>
    <item><title>Old style</title><link>https://example.org/1</link><description>Body</description></item>
    </channel></rss>"""
    parsed = parse_feed(doc, url=URL)
    assert [e.title_html for e in parsed.entries] == ["Old style"]
    assert parsed.entries[0].guid is None and parsed.entries[0].published is None
    assert parsed.language == "en-us"


def test_rss_10_rdf() -> None:
    doc = b"""<?xml version="1.0"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
             xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel rdf:about="https://example.org/"><title>T</title><link>https://example.org/</link><description>d</description></channel>
    <item rdf:about="https://example.org/a"><title>RDF item</title><link>https://example.org/a</link>
      <dc:date>2026-11-24T08:00:00+01:00</dc:date><dc:creator>Jane</dc:creator></item>
    </rdf:RDF>"""
    entry = parse_feed(doc, url=URL).entries[0]
    assert entry.title_html == "RDF item"
    assert entry.published == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert entry.authors == ["Jane"]


def test_rss_20_with_ttl_categories_and_content() -> None:
    doc = b"""<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
    <ttl>90</ttl><item><guid>x1</guid><title>A &amp; B</title><category>Enforcement</category>
    <content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded>
    <pubDate>Tue, 24 Nov 2026 10:00:00 +0200</pubDate></item></channel></rss>"""
    parsed = parse_feed(doc, url=URL)
    entry = parsed.entries[0]
    assert parsed.ttl_s == 90 * 60
    assert entry.guid == "x1" and entry.categories == ["Enforcement"]
    assert "<b>text</b>" in entry.summary_html
    assert entry.published == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_atom_with_xml_lang() -> None:
    doc = """<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>T</title><id>urn:t</id>
    <updated>2026-11-24T10:00:00Z</updated>
    <entry><id>urn:e1</id><title type="html">&lt;b&gt;Bußgeld&lt;/b&gt; verhängt</title>
    <link href="/e1" rel="alternate"/><updated>2026-11-24T10:00:00Z</updated>
    <summary>Die Behörde hat ein Bußgeld verhängt.</summary><author><name>Pressestelle</name></author></entry>
    </feed>""".encode()
    entry = parse_feed(doc, url="https://behoerde.example/feed.atom").entries[0]
    assert entry.guid == "urn:e1"
    assert entry.link == "/e1"  # resolved against the feed URL by the normaliser
    assert entry.language == "de"
    assert entry.authors == ["Pressestelle"]


def test_json_feed_11() -> None:
    doc = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "language": "en",
            "items": [
                {
                    "id": 7,
                    "url": "https://example.org/7",
                    "title": "Seven <b>bold</b>",
                    "content_html": "<p>Hi</p>",
                    "date_published": "2026-11-24T10:00:00-05:00",
                    "authors": [{"name": "Ann"}],
                    "tags": ["fine"],
                    "language": "en-GB",
                },
                {"id": "t", "content_text": "Text only <not a tag>"},
                "not an object",
            ],
        }
    ).encode()
    parsed = parse_feed(doc, url=URL, content_type="application/feed+json")
    first, second = parsed.entries
    assert (first.guid, first.link, first.authors, first.categories) == (
        "7",
        "https://example.org/7",
        ["Ann"],
        ["fine"],
    )
    assert first.title_html == "Seven &lt;b&gt;bold&lt;/b&gt;"  # JSON Feed titles are plain text
    assert first.published == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert first.language == "en-GB"
    assert second.summary_html == "Text only &lt;not a tag&gt;"
    assert parsed.warning == "1 items are not objects"


def test_json_that_is_not_a_feed_is_refused() -> None:
    with pytest.raises(FeedParseError, match="not a JSON Feed"):
        parse_feed(b'{"hello": "world"}', url=URL)
    with pytest.raises(FeedParseError, match="invalid JSON"):
        parse_feed(b"{nope", url=URL, content_type="application/json")


def test_ill_formed_feed_keeps_readable_items_and_the_complaint() -> None:
    doc = b"""<rss version="2.0"><channel><title>T</title>
    <item><guid>1</guid><title>First & only</title></item>
    <item><guid>2</guid><title>Second</title></item></channel>"""
    parsed = parse_feed(doc, url=URL)
    assert [e.guid for e in parsed.entries] == ["1", "2"]
    assert parsed.warning


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(FeedParseError):
        parse_feed(b"<html><body><p>Welcome</p></body></html>", url=URL, content_type="text/html")


def test_non_utf8_feed_is_decoded() -> None:
    doc = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>T</title>'
        "<item><guid>1</guid><title>Autorité des marchés: amende à Société Générale</title></item></channel></rss>"
    )
    parsed = parse_feed(doc.encode("iso-8859-1"), url=URL)
    assert parsed.entries[0].title_html == "Autorité des marchés: amende à Société Générale"
    shift_jis = (
        '<?xml version="1.0" encoding="shift_jis"?><rss version="2.0"><channel><title>T</title>'
        "<item><guid>1</guid><title>金融庁が行政処分</title></item></channel></rss>"
    )
    assert parse_feed(shift_jis.encode("shift_jis"), url=URL).entries[0].title_html == "金融庁が行政処分"


def test_charset_from_the_http_header() -> None:
    doc = '<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>Zürich</title></item></channel></rss>'
    parsed = parse_feed(doc.encode("windows-1252"), url=URL, content_type="application/rss+xml; charset=windows-1252")
    assert parsed.entries[0].title_html == "Zürich"
