"""WebSub's pure parts: hub discovery from the Link header and the document, signatures, renewal time."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from services.ingest.parser import parse_feed
from services.ingest.websub import HubLinks, discover, header_links, renewal_due, signature_valid

URL = "https://news.example.org/feed.xml"
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<link rel="hub" href="https://hub.example.net/"/><link rel="self" href="/feed.xml"/></feed>"""
RSS = b"""<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
<atom:link rel="hub" href="https://hub.example.net/"/><atom:link rel="self" href="https://news.example.org/rss"/>
</channel></rss>"""


def test_the_link_header_is_read_and_wins_over_the_document() -> None:
    header = '<https://hub.example.com/>; rel="hub", </topic>; rel=self, <https://x.example/>; rel="alternate"'
    assert header_links(header, URL) == {
        "hub": "https://hub.example.com/",
        "self": "https://news.example.org/topic",
        "alternate": "https://x.example/",
    }
    links = parse_feed(ATOM, url=URL).links
    assert discover(header, links, url=URL) == HubLinks("https://hub.example.com/", "https://news.example.org/topic")


@pytest.mark.parametrize(
    ("document", "topic"), [(ATOM, "https://news.example.org/feed.xml"), (RSS, "https://news.example.org/rss")]
)
def test_atom_links_and_rss_atom_links_name_the_hub(document: bytes, topic: str) -> None:
    links = parse_feed(document, url=URL).links
    assert discover(None, links, url=URL) == HubLinks("https://hub.example.net/", topic)


def test_a_json_feed_names_its_websub_hub() -> None:
    document = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "feed_url": "https://news.example.org/f.json",'
        b' "hubs": [{"type": "rssCloud", "url": "https://cloud.example/"}, {"type": "WebSub", "url": "https://h.example/"}],'
        b' "items": []}'
    )
    links = parse_feed(document, url=URL, content_type="application/feed+json").links
    assert discover(None, links, url=URL) == HubLinks("https://h.example/", "https://news.example.org/f.json")


def test_no_hub_without_both_links_or_with_a_non_http_hub() -> None:
    assert discover('<https://hub.example.com/>; rel="hub"', {}, url=URL) is None
    assert discover(None, {"hub": "https://hub.example.com/"}, url=URL) is None
    assert discover('<ftp://hub.example.com/>; rel="hub", <https://a.example/>; rel="self"', {}, url=URL) is None


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_a_signature_by_any_allowed_method_is_checked(method: str) -> None:
    body = b"<feed/>"
    good = hmac.new(b"s3cret", body, getattr(hashlib, method)).hexdigest()
    assert signature_valid("s3cret", body, f"{method}={good}")
    assert not signature_valid("s3cret", body + b" ", f"{method}={good}")
    assert not signature_valid("other", body, f"{method}={good}")
    assert not signature_valid("s3cret", body, f"{method}={good[:-1]}")


def test_a_missing_malformed_or_unknown_signature_is_refused() -> None:
    body = b"<feed/>"
    md5 = hmac.new(b"s3cret", body, hashlib.md5).hexdigest()
    for header in (None, "", "sha256", "sha256=", f"md5={md5}", "nonsense"):
        assert not signature_valid("s3cret", body, header)


def test_renewal_goes_out_with_a_third_of_the_lease_left() -> None:
    verified = datetime(2026, 12, 8, tzinfo=UTC)
    assert renewal_due(verified, 900) == verified + timedelta(seconds=600)
