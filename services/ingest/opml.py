"""OPML 2.0 import and export of the feed registry (outlines with xmlUrl; language, regulator, jurisdiction,
enabled and poll_interval_s kept as extra attributes, so an export imports back as it was)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.models import Feed
from services.ingest.registry import Registered, register_all
from services.ingest.schemas import FeedCreate, first_error
from services.pipeline.netguard import NetworkPolicy

MAX_OPML_BYTES = 5 * 1024 * 1024
_HINTS = ("language", "regulator", "jurisdiction")
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class InvalidOPML(ValueError):
    """The document is not OPML we can read; the message says why."""


@dataclass
class ParsedOPML:
    """The feeds an OPML document lists, and its outlines that could not be read (url and error each)."""

    specs: list[FeedCreate] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)


def _root(document: bytes) -> ET.Element:
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
    return root


def _spec(outline: ET.Element, url: str) -> FeedCreate:
    """The feed an outline describes; ValueError naming the attribute when one cannot be read."""
    enabled = outline.get("enabled")
    if enabled is not None and enabled.strip().lower() not in _BOOLEANS:
        raise ValueError(f"enabled: {enabled!r} is not true or false")
    try:
        return FeedCreate(
            url=url,
            title=outline.get("title") or outline.get("text"),
            enabled=_BOOLEANS[enabled.strip().lower()] if enabled is not None else None,
            poll_interval_s=outline.get("poll_interval_s"),  # pydantic parses the text
            **{name: outline.get(name) for name in _HINTS},
        )
    except ValidationError as exc:
        name, message = first_error(exc)
        raise ValueError(f"{name}: {message}") from exc


def parse_opml(document: bytes) -> ParsedOPML:
    """Every outline with an xmlUrl, in document order (nested folders included).

    A document that is not OPML raises InvalidOPML. An outline that cannot be read (no xmlUrl and no
    child outlines, or an attribute out of range) is reported in ``refused`` and the others are kept.
    """
    parsed = ParsedOPML()
    for outline in _root(document).iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if not url:
            if outline.find("outline") is None:  # a folder holds outlines; anything else is a feed without URL
                name = outline.get("title") or outline.get("text") or ""
                parsed.refused.append({"url": "", "error": f"outline {name!r} has no xmlUrl"})
            continue
        try:
            parsed.specs.append(_spec(outline, url))
        except ValueError as exc:
            parsed.refused.append({"url": url, "error": f"outline refused: {exc}"})
    return parsed


def import_opml(
    document: bytes, sessions: sessionmaker[Session], *, policy: NetworkPolicy, floor_s: float
) -> Registered:
    """Register the feeds of an OPML document, each on its own; the report lists every outline refused."""
    parsed = parse_opml(document)
    report = register_all(sessions, parsed.specs, policy=policy, floor_s=floor_s)
    report.refused = parsed.refused + report.refused
    return report


def _attributes(feed: Feed) -> dict[str, str]:
    attributes = {"type": "rss", "text": feed.title or feed.url, "title": feed.title or feed.url, "xmlUrl": feed.url}
    for name in _HINTS:
        value = getattr(feed, name)
        if value:
            attributes[name] = value
    attributes["enabled"] = "true" if feed.enabled else "false"
    if feed.poll_interval_s is not None:
        attributes["poll_interval_s"] = str(feed.poll_interval_s)
    return attributes


def export_opml(feeds: Iterable[Feed], *, title: str = "RegAlerts feeds") -> bytes:
    """An OPML 2.0 document listing ``feeds``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        ET.SubElement(body, "outline", _attributes(feed))
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
