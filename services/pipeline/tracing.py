"""W3C trace context: one trace id per item, carried in events and Kafka headers across the services."""

from __future__ import annotations

import re
import secrets

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def new_traceparent() -> str:
    """A fresh ``traceparent`` value (version 00, sampled)."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_traceparent(parent: str | None) -> str:
    """A traceparent in the same trace as ``parent`` with a new span id (a new trace if parent is invalid)."""
    trace_id = trace_id_of(parent)
    if trace_id is None:
        return new_traceparent()
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"


def trace_id_of(traceparent: str | None) -> str | None:
    """The 32-hex trace id of a traceparent, or None when it is missing or malformed."""
    if not traceparent:
        return None
    match = _TRACEPARENT.match(traceparent)
    return match.group(1) if match else None
