"""Per-endpoint circuit breaker, concurrency limit and pacing (Retry-After, Slack's one message a second).

An endpoint is unavailable while its breaker is open, while it asked us to wait, or while it has as many
deliveries in flight as allowed; after the cooldown a failing endpoint gets one probe at a time until it
succeeds. Kept in memory: a restart simply starts every endpoint closed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class EndpointState:
    """What is known about one endpoint."""

    in_flight: int = 0
    failures: int = 0
    open_until: float = 0.0
    not_before: float = 0.0


class Endpoints:
    """Availability of every endpoint the worker sends to."""

    def __init__(
        self,
        *,
        concurrency: int,
        failure_threshold: int,
        cooldown_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._concurrency = concurrency
        self._threshold = failure_threshold
        self._cooldown = cooldown_s
        self._clock = clock
        self._states: dict[str, EndpointState] = {}

    def state(self, endpoint: str) -> EndpointState:
        """The state of one endpoint (created closed)."""
        return self._states.setdefault(endpoint, EndpointState())

    def is_open(self, endpoint: str) -> bool:
        """True while the breaker keeps the endpoint from being tried."""
        return self.state(endpoint).open_until > self._clock()

    def available(self, endpoint: str, *, limit: int | None = None) -> bool:
        """True when one more delivery may start now (``limit`` overrides the concurrency limit)."""
        state = self.state(endpoint)
        now = self._clock()
        if state.open_until > now or state.not_before > now:
            return False
        cap = 1 if state.failures >= self._threshold else (limit or self._concurrency)
        return state.in_flight < cap

    def waiting(self, endpoint: str) -> bool:
        """True while the endpoint must not be tried at all (breaker open, or asked us to wait)."""
        state = self.state(endpoint)
        now = self._clock()
        return state.open_until > now or state.not_before > now

    def started(self, endpoint: str) -> None:
        """A delivery to the endpoint started."""
        self.state(endpoint).in_flight += 1

    def finished(
        self, endpoint: str, *, success: bool, retry_after_s: float | None = None, min_interval_s: float = 0.0
    ) -> None:
        """A delivery ended: close the breaker on success, count (and maybe open) on failure, pace."""
        state = self.state(endpoint)
        now = self._clock()
        state.in_flight = max(0, state.in_flight - 1)
        if success:
            state.failures = 0
            state.open_until = 0.0
        else:
            state.failures += 1
            if state.failures >= self._threshold:
                state.open_until = now + self._cooldown
        pause = max(retry_after_s or 0.0, min_interval_s)
        if pause:
            state.not_before = max(state.not_before, now + pause)

    def unavailable(self, *, limits: dict[str, int] | None = None) -> set[str]:
        """Endpoints where no delivery may start now."""
        limits = limits or {}
        return {e for e in self._states if not self.available(e, limit=limits.get(e))}
