"""Text of feed items: plain text with markup stripped and entities decoded, and sanitised HTML."""

from __future__ import annotations

import html
import re

import nh3

MAX_TEXT_CHARS = 10_000
MAX_HTML_CHARS = 50_000
_SPACES = re.compile(r"\s+")
_URL_SCHEMES = {"http", "https", "mailto"}


def plain_text(markup: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    """Plain text of an HTML fragment: tags dropped (script and style with their content), entities decoded.

    Stripping repeats until nothing changes, so markup that was escaped once or twice in the feed
    (``&lt;b&gt;``) is stripped too rather than surfacing as tags in the text.
    """
    text = markup
    for _ in range(4):
        if "<" not in text and "&" not in text:
            break  # nothing left that could be markup or an entity
        stripped = html.unescape(nh3.clean(text, tags=set()))
        if stripped == text:
            break
        text = stripped
    return _SPACES.sub(" ", text).strip()[:limit]


def clean_html(markup: str, *, limit: int = MAX_HTML_CHARS) -> str:
    """Sanitised HTML: a safe tag and attribute allow-list, http(s)/mailto links only, rel=noopener on links."""
    cleaned = nh3.clean(markup, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer nofollow").strip()
    if len(cleaned) <= limit:
        return cleaned
    return nh3.clean(cleaned[:limit], url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer nofollow")
