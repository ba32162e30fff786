"""Tell an HTML page from a feed, and list the feeds a page advertises with ``<link rel="alternate">``."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "application/rdf+xml"}
)
MAX_LINKS = 10
_SNIFF_BYTES = 2048


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """True when the server says text/html, or the document starts as HTML does."""
    if content_type and "html" in content_type.lower() and "xhtml+xml" not in content_type.lower():
        return True
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


class _AlternateLinks(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link" or len(self.links) >= MAX_LINKS:
            return
        values = {name: (value or "").strip() for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        href = values.get("href", "")
        if "alternate" in rel and kind in FEED_TYPES and href:
            link = urljoin(self.base, href)
            if link.startswith(("http://", "https://")) and link not in self.links:
                self.links.append(link)


def advertised_feeds(body: bytes, base_url: str) -> list[str]:
    """The absolute http(s) URLs of the feeds an HTML page links to (at most ``MAX_LINKS``), in page order."""
    parser = _AlternateLinks(base_url)  # html.parser reads any text without raising
    parser.feed(body.decode("utf-8", errors="replace"))
    parser.close()
    return parser.links


def html_refusal(body: bytes, base_url: str) -> tuple[str, list[str]]:
    """What to say about an HTML page fetched as a feed, and the feeds it advertises."""
    feeds = advertised_feeds(body, base_url)
    if feeds:
        return f"an HTML page, not a feed: it links to these feeds: {', '.join(feeds)}", feeds
    return "an HTML page, not a feed, and it links to no feed", feeds
