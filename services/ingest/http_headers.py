"""Reading the HTTP headers that tell a poller when to come back: Retry-After, Cache-Control, Expires."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    return max(0.0, (when - now).total_seconds()) if when else None


def fresh_for_seconds(cache_control: str | None, expires: str | None, *, now: datetime) -> float | None:
    """How long the response says it stays fresh (Cache-Control max-age, else Expires); None when unsaid."""
    if cache_control:
        if "no-cache" in cache_control.lower() or "no-store" in cache_control.lower():
            return None
        match = _MAX_AGE.search(cache_control)
        if match:
            return float(match.group(1))
    if expires:
        when = _http_date(expires)
        if when:
            return max(0.0, (when - now).total_seconds())
    return None
