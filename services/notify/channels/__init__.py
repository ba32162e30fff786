"""Delivery channels (webhook, Slack, email) behind one small interface: ``send(batch) -> Outcome``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

from services.notify.payload import Alert


@dataclass(frozen=True)
class Target:
    """Where a subscription's alerts go, as the channels need it (secrets current first)."""

    subscription_id: str
    tenant_id: str
    name: str
    channel: str  # webhook | slack | email
    url: str | None = None
    addresses: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()

    @property
    def endpoint(self) -> str:
        """What the circuit breaker, rate limit and concurrency limit are kept per."""
        return self.url if self.url else f"smtp:{self.subscription_id}"


@dataclass(frozen=True)
class Batch:
    """Alerts sent in one message: one alert, a coalesced Slack burst, or a digest."""

    target: Target
    alerts: list[Alert]
    digest: bool = False
    test: bool = False

    @property
    def message_id(self) -> str:
        """The alert id for one alert; for several, a hash of their ids (stable across retries)."""
        if len(self.alerts) == 1 and not self.digest:
            return self.alerts[0].id
        joined = "\n".join(sorted(alert.id for alert in self.alerts))
        return "dig_" + hashlib.sha256(joined.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Outcome:
    """What came of one send."""

    delivered: bool
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    retry_after_s: float | None = None
    gone: bool = False  # the endpoint answered 410 Gone: stop sending to it


class Channel(Protocol):
    """Sends one batch and reports the outcome; raises only on a bug (the dispatcher catches it)."""

    name: str

    async def send(self, batch: Batch) -> Outcome: ...


def parse_retry_after(value: str | None, *, cap_s: float = 86400.0) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds form), capped; None when absent or odd."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), cap_s)
