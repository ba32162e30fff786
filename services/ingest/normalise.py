"""Turn parsed entries into normalised items: stable id, canonical link, plain text, UTC time, declared language."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from services.ingest.parser import ParsedEntry
from services.ingest.text import clean_html, plain_text
from services.pipeline.events import RawItem

# Query parameters that only track the reader, never identify the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt.mc_id",
        "cmpid",
        "ito",
    }
)
_LANGUAGE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")
# Dates further ahead than this are taken as the first-seen time instead (broken clocks, typos).
FUTURE_SLACK = timedelta(hours=2)


@dataclass(frozen=True)
class FeedContext:
    """What the normaliser knows about the feed an entry came from."""

    feed_id: str
    feed_url: str
    language_hint: str | None = None
    feed_language: str | None = None
    header_language: str | None = None
    regulator: str | None = None
    jurisdiction: str | None = None
    feed_title: str | None = None


def canonical_link(link: str | None, base: str) -> str | None:
    """An absolute http(s) link without fragment, default port or tracking parameters (utm_*, fbclid, ...)."""
    if not link or not link.strip():
        return None
    parts = urlsplit(urljoin(base, link.strip()))
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    try:
        port = parts.port
    except ValueError:
        return None
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def item_id(feed_id: str, *, guid: str | None, link: str | None, title: str, published: datetime | None) -> str:
    """The stable id of an item: feed + guid, else feed + canonical link, else a hash of title and date."""
    if guid and guid.strip():
        key = f"guid:{guid.strip()}"
    elif link:
        key = f"link:{link}"
    else:
        key = f"hash:{title}\n{published.isoformat() if published else ''}"
    return hashlib.sha256(f"{feed_id}\n{key}".encode()).hexdigest()[:32]


def content_hash(title: str, summary: str) -> str:
    """Fingerprint of what subscribers read: a change here makes an update event."""
    return hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()


def language_code(value: str | None) -> str | None:
    """The primary language subtag in lower case (``en-GB`` -> ``en``), or None when unusable."""
    if not value:
        return None
    match = _LANGUAGE.match(value.strip())
    return match.group(1).lower() if match else None


def declared_language(context: FeedContext, entry: ParsedEntry) -> str | None:
    """The language declared for an entry: the operator's hint, the entry's, the feed's, the HTTP header's.

    Nothing is guessed here: an item without a declared language goes out without one, and classify,
    the one place that detects languages, decides it from the text.
    """
    for candidate in (context.language_hint, entry.language, context.feed_language, context.header_language):
        code = language_code(candidate)
        if code:
            return code
    return None


def normalise(entry: ParsedEntry, context: FeedContext, *, first_seen: datetime) -> RawItem:
    """The RawItem for one entry (its id is provisional until dedupe has looked for the same link)."""
    title = plain_text(entry.title_html, limit=1000)
    summary = plain_text(entry.summary_html)
    link = canonical_link(entry.link, context.feed_url)
    published = entry.published
    if published is None or published > first_seen + FUTURE_SLACK:
        published = first_seen
    return RawItem(
        item_id=item_id(context.feed_id, guid=entry.guid, link=link, title=title, published=entry.published),
        feed_id=context.feed_id,
        feed_url=context.feed_url,
        title=title,
        summary=summary,
        summary_html=clean_html(entry.summary_html),
        link=link,
        published_at=published,
        first_seen_at=first_seen,
        language=declared_language(context, entry),
        authors=[a for a in (plain_text(x, limit=200) for x in entry.authors) if a][:20],
        categories=[c for c in (plain_text(x, limit=200) for x in entry.categories) if c][:50],
        regulator_hint=context.regulator,
        jurisdiction_hint=context.jurisdiction,
        feed_title=plain_text(context.feed_title or "", limit=200) or None,
    )
