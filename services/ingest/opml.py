"""OPML 2.0 import and export of the feed registry (outlines with xmlUrl; regulator/jurisdiction kept as
extra attributes)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from services.ingest.models import Feed
from services.ingest.schemas import FeedCreate

MAX_OPML_BYTES = 5 * 1024 * 1024


class InvalidOPML(ValueError):
    """The document is not OPML we can read; the message says why."""


def parse_opml(document: bytes) -> list[FeedCreate]:
    """Every outline with an xmlUrl, in document order (nested folders included)."""
    if len(document) > MAX_OPML_BYTES:
        raise InvalidOPML(f"OPML document larger than {MAX_OPML_BYTES} bytes")
    if b"<!DOCTYPE" in document.upper() or b"<!ENTITY" in document.upper():
        raise InvalidOPML("OPML documents with a DTD or entities are refused")
    try:
        root = ET.fromstring(document)  # noqa: S314 - no DTD, so no entity expansion
    except ET.ParseError as exc:
        raise InvalidOPML(f"not well-formed XML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise InvalidOPML(f"root element is <{root.tag}>, not <opml>")
    feeds: list[FeedCreate] = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if not url:
            continue
        try:
            feeds.append(
                FeedCreate(
                    url=url,
                    title=outline.get("title") or outline.get("text"),
                    language=outline.get("language"),
                    regulator=outline.get("regulator"),
                    jurisdiction=outline.get("jurisdiction"),
                )
            )
        except ValueError as exc:
            raise InvalidOPML(f"outline {url!r}: {exc}") from exc
    return feeds


def export_opml(feeds: Iterable[Feed], *, title: str = "RegAlerts feeds") -> bytes:
    """An OPML 2.0 document listing ``feeds``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attributes = {
            "type": "rss",
            "text": feed.title or feed.url,
            "title": feed.title or feed.url,
            "xmlUrl": feed.url,
        }
        for name in ("language", "regulator", "jurisdiction"):
            value = getattr(feed, name)
            if value:
                attributes[name] = value
        ET.SubElement(body, "outline", attributes)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
