"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) into the parser's entries."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

from services.ingest.parser import FeedParseError, ParsedEntry, ParsedFeed


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
    entries = [_entry(item) for item in items if isinstance(item, dict)]
    skipped = len(items) - len(entries)
    return ParsedFeed(
        entries=entries,
        title=_text(document.get("title")),
        language=_text(document.get("language")) or None,
        warning=f"{skipped} items are not objects" if skipped else None,
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_date(value: Any) -> datetime | None:
    """An RFC 3339 date as an aware UTC datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _authors(item: dict[str, Any]) -> list[str]:
    found = item.get("authors")
    if not isinstance(found, list):
        found = [item["author"]] if isinstance(item.get("author"), dict) else []
    return [a["name"] for a in found if isinstance(a, dict) and isinstance(a.get("name"), str)]


def _entry(item: dict[str, Any]) -> ParsedEntry:
    summary = _text(item.get("summary")) or _text(item.get("content_html"))
    if not summary and _text(item.get("content_text")):
        summary = html.escape(_text(item.get("content_text")))
    item_id = item.get("id")
    return ParsedEntry(
        guid=str(item_id) if isinstance(item_id, str | int) and str(item_id) else None,
        link=_text(item.get("url")) or _text(item.get("external_url")) or None,
        title_html=html.escape(_text(item.get("title"))),
        summary_html=summary,
        published=parse_date(item.get("date_published")) or parse_date(item.get("date_modified")),
        authors=_authors(item),
        categories=[t for t in item.get("tags", []) if isinstance(t, str)]
        if isinstance(item.get("tags"), list)
        else [],
        language=_text(item.get("language")) or None,
    )
