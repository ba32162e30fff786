"""A feed's health in words, from ingest's status fields: its state and why its last poll failed."""

from __future__ import annotations

from typing import Any

# ingest's fixed failure reasons (FetchResult.reason), said for a person.
REASONS = {
    "http_4xx": "the site refused the request",
    "http_429": "the site asked us to poll less often",
    "http_5xx": "the site had a server error",
    "dns": "the host name does not resolve",
    "connect": "the site could not be reached",
    "blocked": "the address is private or not allowed (network guard)",
    "timeout": "the site did not answer in time",
    "redirects": "too many redirects, or a redirect to an address not allowed",
    "too_large": "the document is larger than the size limit",
    "parse": "the document is not a readable feed",
    "protocol": "the site's answer was not valid HTTP",
    "internal": "ingest failed to process the document",
}
HTTP_WORDS = {401: "sign-in required", 403: "access forbidden", 404: "not found", 410: "gone for good"}
STATES = {
    "pending": "not polled yet",
    "ok": "OK",
    "error": "last poll failed",
    "failing": "failing",
    "disabled": "paused",
}


def state_words(status: dict[str, Any]) -> str:
    """The state, with how many polls in a row failed when it is failing."""
    state = str(status.get("state", ""))
    words = STATES.get(state, state)
    if state == "failing":
        words += f": {status.get('consecutive_failures', 0)} polls in a row"
    return words


def error_words(status: dict[str, Any]) -> str:
    """Why the last failed poll failed, in words ("" when none did): the reason, then the HTTP status or
    the message."""
    reason = status.get("last_error_reason")
    if not reason:
        return ""
    words = REASONS.get(str(reason), str(reason).replace("_", " "))
    code = status.get("last_status_code")
    if reason.startswith("http_") and code:
        detail = f"HTTP {code}" + (f", {HTTP_WORDS[code]}" if code in HTTP_WORDS else "")
    else:
        detail = str(status.get("last_error") or "")
    return f"{words[0].upper()}{words[1:]}" + (f" ({detail})" if detail else "") + "."
