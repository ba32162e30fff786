"""When to poll a feed next: an interval that follows how often the feed publishes, with jitter, what the
site asked for, and backoff on failure.

A feed's *arrivals* are the moments new items were seen (one per poll or push that stored any, the last
``ARRIVALS_KEPT``; a feed's first poll seeds them from its items' publication dates). Pure functions of the
policy, the feed's history and the clock, so they are tested without a store.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.ingest.settings import IngestSettings

ARRIVALS_KEPT = 16


@dataclass(frozen=True)
class Policy:
    """The scheduling knobs, from settings."""

    interval_s: float
    floor_s: float
    jitter: float
    backoff_base_s: float
    backoff_max_s: float
    ceiling_s: float = 3600.0
    gap_fraction: float = 0.5
    burst_window_s: float = 900.0
    burst_share: float = 0.3

    @classmethod
    def from_settings(cls, settings: IngestSettings) -> Policy:
        """The policy the settings describe."""
        return cls(
            settings.poll_interval_s,
            settings.poll_interval_floor_s,
            settings.poll_jitter,
            settings.backoff_base_s,
            settings.backoff_max_s,
            settings.poll_interval_max_s,
            settings.poll_gap_fraction,
            settings.poll_burst_window_s,
            settings.poll_burst_share,
        )


def seed_arrivals(published: Iterable[float], *, now: float) -> list[float]:
    """A first history from the publication times of a feed's items (epoch seconds): distinct, not in the
    future, the latest ``ARRIVALS_KEPT``."""
    return sorted({float(round(t)) for t in published if t <= now})[-ARRIVALS_KEPT:]


def arrived(arrivals: Sequence[float], *, now: float) -> list[float]:
    """The history with an arrival at ``now`` (new items were just seen)."""
    kept = [t for t in arrivals if t < now]
    return [*kept, now][-ARRIVALS_KEPT:]


def publishing_interval(policy: Policy, arrivals: Sequence[float], *, now: float) -> float | None:
    """The interval a feed's publishing calls for, or None before two arrivals.

    ``gap_fraction`` of the mean gap between arrivals (counting the time since the last one when it is longer,
    so a feed gone quiet slows down), within the floor and the ceiling. A bursty feed (at least
    ``burst_share`` of its gaps shorter than ``burst_window_s``) is polled at the floor for ``burst_window_s``
    after an arrival, while more of the burst is likely.
    """
    if len(arrivals) < 2:
        return None
    ordered = sorted(arrivals)
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    since_last = max(0.0, now - ordered[-1])
    mean = sum(gaps) / len(gaps)
    if since_last > mean:
        mean = (sum(gaps) + since_last) / (len(gaps) + 1)
    short = sum(gap < policy.burst_window_s for gap in gaps)
    if since_last < policy.burst_window_s and short >= policy.burst_share * len(gaps):
        return policy.floor_s
    return min(max(mean * policy.gap_fraction, policy.floor_s), policy.ceiling_s)


def _jittered(delay: float, jitter: float, rng: random.Random | None) -> float:
    spread = (rng or random).uniform(-jitter, jitter)
    return delay * (1 + spread)


def after_success(
    policy: Policy,
    *,
    interval_s: float | None,
    ttl_s: float | None,
    fresh_for_s: float | None,
    arrivals: Sequence[float] = (),
    now: float = 0.0,
    rng: random.Random | None = None,
) -> float:
    """Delay after a successful or not-modified poll, never under the floor: the feed's own interval when the
    operator set one, else the one its publishing calls for (``publishing_interval``), else the default; then
    stretched to honour RSS ttl / sy:updatePeriod and Cache-Control/Expires (never past the backoff cap)."""
    if interval_s is None:
        interval_s = publishing_interval(policy, arrivals, now=now)
    delay = max(interval_s or policy.interval_s, policy.floor_s)
    hinted = max(ttl_s or 0.0, fresh_for_s or 0.0)
    delay = max(delay, min(hinted, policy.backoff_max_s))
    return max(policy.floor_s, _jittered(delay, policy.jitter, rng))


def after_failure(
    policy: Policy,
    *,
    interval_s: float | None,
    failures: int,
    retry_after_s: float | None,
    rng: random.Random | None = None,
) -> float:
    """Delay after the ``failures``-th consecutive failure: exponential from the base, capped, never giving up;
    a Retry-After (429/503) is honoured up to the cap."""
    exponent = min(max(failures - 1, 0), 30)
    delay = min(policy.backoff_base_s * 2**exponent, policy.backoff_max_s)
    delay = max(delay, min(interval_s or policy.interval_s, policy.backoff_max_s))
    delay = _jittered(delay, policy.jitter, rng)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, policy.backoff_max_s))
    return max(policy.floor_s, min(delay, policy.backoff_max_s))
