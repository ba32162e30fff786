"""Parse a feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed 1.0/1.1) into entries, keeping what can be read."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser


class FeedParseError(ValueError):
    """The document is not a feed at all (nothing could be read from it)."""


@dataclass
class ParsedEntry:
    """One entry as the document gives it; title and summary may hold markup."""

    guid: str | None
    link: str | None
    title_html: str
    summary_html: str
    published: datetime | None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    language: str | None = None


@dataclass
class ParsedFeed:
    """A parsed document: its entries, feed-level hints, and the parser's complaint if it was ill-formed."""

    entries: list[ParsedEntry]
    title: str = ""
    language: str | None = None
    ttl_s: float | None = None  # how long the feed says it stays fresh: RSS <ttl>, else sy:updatePeriod
    warning: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # the first href of each feed-level rel (hub, self, ...)


def parse_feed(body: bytes, *, url: str, content_type: str | None = None, language: str | None = None) -> ParsedFeed:
    """Parse a document fetched from ``url``; raise FeedParseError when it holds no feed at all."""
    if _looks_like_json(body, content_type):
        from services.ingest.jsonfeed import parse_json_feed

        return parse_json_feed(body)
    # No content-location: relative guids stay as written, so ids do not change when the feed moves.
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    if language:
        headers["content-language"] = language
    try:
        document = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser's own bugs on hostile input must not stop the poller
        raise FeedParseError(f"parser failed: {type(exc).__name__}: {exc}"[:500]) from exc
    warning = _bozo_message(document) if document.get("bozo") else None
    if not document.get("version") and not document.entries:
        raise FeedParseError(warning or "not an RSS, Atom or JSON feed")
    meta = document.get("feed", {})
    return ParsedFeed(
        entries=[_entry(e) for e in document.entries],
        title=str(meta.get("title", "")),
        language=meta.get("language"),
        ttl_s=_ttl_seconds(meta.get("ttl")) or _update_period_seconds(meta),
        warning=warning,
        links=_feed_links(meta),
    )


def _feed_links(meta: Any) -> dict[str, str]:
    links: dict[str, str] = {}
    for link in meta.get("links", []):
        if isinstance(link, dict) and link.get("rel") and link.get("href"):
            links.setdefault(str(link["rel"]).lower(), str(link["href"]))
    return links


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    if content_type and "json" in content_type.lower():
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _bozo_message(document: Any) -> str:
    exc = document.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}"[:500] if exc else "ill-formed document"


def _ttl_seconds(value: Any) -> float | None:
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


_PERIODS = {"hourly": 3600.0, "daily": 86400.0, "weekly": 7 * 86400.0, "monthly": 30 * 86400.0, "yearly": 365 * 86400.0}


def _update_period_seconds(meta: Any) -> float | None:
    """The syndication module's sy:updatePeriod divided by sy:updateFrequency (default 1), in seconds."""
    period = _PERIODS.get(str(meta.get("sy_updateperiod", "")).strip().lower())
    if period is None:
        return None
    try:
        frequency = float(meta.get("sy_updatefrequency") or 1)
    except (TypeError, ValueError):
        frequency = 1.0
    return period / frequency if frequency >= 1 else period


def struct_to_datetime(value: time.struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime (None when absent or impossible)."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _entry(entry: Any) -> ParsedEntry:
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    detail = entry.get("title_detail") or entry.get("summary_detail") or {}
    authors = [a.get("name", "") for a in entry.get("authors", []) if isinstance(a, dict) and a.get("name")]
    if not authors and entry.get("author"):
        authors = [str(entry["author"])]
    return ParsedEntry(
        guid=str(entry["id"]) if entry.get("id") else None,
        link=str(entry["link"]) if entry.get("link") else None,
        title_html=str(entry.get("title", "")),
        summary_html=str(summary),
        published=struct_to_datetime(entry.get("published_parsed") or entry.get("updated_parsed")),
        authors=authors,
        categories=[str(t["term"]) for t in entry.get("tags", []) if isinstance(t, dict) and t.get("term")],
        language=detail.get("language") if isinstance(detail, dict) else None,
    )
