"""WebSub (W3C Recommendation) for a subscriber, the pure parts: finding a feed's hub and topic, checking the
signature of pushed content, and when to renew a lease.

Discovery (spec §4): the HTTP ``Link`` header first, then the document's links (Atom ``<link rel="hub">``,
RSS ``<atom:link rel="hub">``); both a hub and a ``self`` URL are needed. The topic is the ``self`` URL,
which is what the hub knows the feed as.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

# Algorithms the spec allows in X-Hub-Signature (§7.1), by the name the header gives.
SIGNATURE_ALGORITHMS = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
RENEW_AT = 2 / 3  # of the granted lease: the renewal goes out with a third of it left
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))""", re.IGNORECASE)


@dataclass(frozen=True)
class HubLinks:
    """Where to subscribe (``hub``) and to what (``topic``)."""

    hub: str
    topic: str


def header_links(value: str | None, base: str) -> dict[str, str]:
    """The first URL of each relation in an HTTP Link header (RFC 8288), made absolute."""
    found: dict[str, str] = {}
    for match in _LINK.finditer(value or ""):
        rel = _REL.search(match.group(2))
        if rel is None:
            continue
        for name in (rel.group(1) or rel.group(2) or "").lower().split():
            found.setdefault(name, urljoin(base, match.group(1).strip()))
    return found


def discover(link_header: str | None, document_links: dict[str, str], *, url: str) -> HubLinks | None:
    """The hub and topic a feed fetched from ``url`` advertises (the header wins over the document), or None."""
    header = header_links(link_header, url)
    if "hub" in header and "self" in header:
        hub, topic = header["hub"], header["self"]
    elif "hub" in document_links and "self" in document_links:
        hub, topic = urljoin(url, document_links["hub"]), urljoin(url, document_links["self"])
    else:
        return None
    if urlsplit(hub).scheme not in {"http", "https"} or urlsplit(topic).scheme not in {"http", "https"}:
        return None
    return HubLinks(hub, topic)


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``X-Hub-Signature`` (``method=hex``) is the HMAC of the body with the secret, by an allowed
    method; a missing, malformed or unknown-method signature is not."""
    method, _, given = (header or "").strip().partition("=")
    digest = SIGNATURE_ALGORITHMS.get(method.strip().lower())
    if digest is None or not given:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def renewal_due(verified_at: datetime, lease_s: float) -> datetime:
    """When to renew a subscription verified at ``verified_at`` for ``lease_s`` seconds."""
    return verified_at + timedelta(seconds=lease_s * RENEW_AT)
