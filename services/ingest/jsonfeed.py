"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) into the parser's entries."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any

from services.ingest.parser import FeedParseError, ParsedEntry, ParsedFeed

# JSON may escape a lone UTF-16 surrogate (\ud800); no encoder or database takes one.
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Strings:
    """Reads string values, replacing lone surrogates with U+FFFD and counting the strings that held any."""

    def __init__(self) -> None:
        self.repaired = 0

    def text(self, value: Any) -> str:
        if not isinstance(value, str):
            return ""
        if value.isascii() or not _SURROGATE.search(value):
            return value
        self.repaired += 1
        return _SURROGATE.sub("\ufffd", value)


def parse_json_feed(body: bytes) -> ParsedFeed:
    """Parse a JSON Feed; items that are not objects are skipped, a document that is not one is refused."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedParseError(f"invalid JSON: {exc}"[:500]) from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith("https://jsonfeed.org/"):
        raise FeedParseError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedParseError("JSON Feed has no items list")
    strings = _Strings()
    entries = [_entry(item, strings) for item in items if isinstance(item, dict)]
    skipped = len(items) - len(entries)
    warnings = [f"{skipped} items are not objects"] if skipped else []
    title, language = strings.text(document.get("title")), strings.text(document.get("language")) or None
    if strings.repaired:
        warnings.append(f"{strings.repaired} strings held invalid code points (lone surrogates), replaced by U+FFFD")
    warning = "; ".join(warnings) or None
    return ParsedFeed(entries=entries, title=title, language=language, warning=warning, links=_links(document))


def _links(document: dict[str, Any]) -> dict[str, str]:
    """``self`` (feed_url) and the first WebSub ``hub`` of the feed's hubs, as the parser gives Atom's links."""
    links = {"self": document["feed_url"]} if isinstance(document.get("feed_url"), str) else {}
    for hub in document.get("hubs") or []:
        if isinstance(hub, dict) and str(hub.get("type", "")).lower() == "websub" and isinstance(hub.get("url"), str):
            links["hub"] = hub["url"]
            break
    return links


def parse_date(value: Any) -> datetime | None:
    """An RFC 3339 date as an aware UTC datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _authors(item: dict[str, Any], strings: _Strings) -> list[str]:
    found = item.get("authors")
    if not isinstance(found, list):
        found = [item["author"]] if isinstance(item.get("author"), dict) else []
    return [strings.text(a["name"]) for a in found if isinstance(a, dict) and isinstance(a.get("name"), str)]


def _entry(item: dict[str, Any], strings: _Strings) -> ParsedEntry:
    text = strings.text
    summary = text(item.get("summary")) or text(item.get("content_html"))
    if not summary:
        summary = html.escape(text(item.get("content_text")))
    item_id = item.get("id")
    tags = item.get("tags")
    return ParsedEntry(
        guid=text(str(item_id)) if isinstance(item_id, str | int) and str(item_id) else None,
        link=text(item.get("url")) or text(item.get("external_url")) or None,
        title_html=html.escape(text(item.get("title"))),
        summary_html=summary,
        published=parse_date(item.get("date_published")) or parse_date(item.get("date_modified")),
        authors=_authors(item, strings),
        categories=[text(t) for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        language=text(item.get("language")) or None,
    )
