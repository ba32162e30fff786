"""Politeness limits: polls in flight overall, polls in flight per host, and spacing of requests to a host."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class _Host:
    def __init__(self, concurrency: int) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.next_start = 0.0


class HostLimiter:
    """A site hosting many feeds gets at most ``per_host`` requests at once, ``min_interval_s`` apart."""

    def __init__(self, *, total: int, per_host: int, min_interval_s: float) -> None:
        self._total = asyncio.Semaphore(total)
        self._per_host = per_host
        self._min_interval_s = min_interval_s
        self._hosts: dict[str, _Host] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold a slot for one request to ``host`` (the host's turn first, then a global slot)."""
        # Host states are kept (one per host of a registered feed) so spacing holds across polls.
        state = self._hosts.setdefault(host, _Host(self._per_host))
        async with state.semaphore:
            now = time.monotonic()
            start = max(now, state.next_start)
            state.next_start = start + self._min_interval_s
            if start > now:
                await asyncio.sleep(start - now)
            async with self._total:
                yield
