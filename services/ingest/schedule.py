"""When to poll a feed next: its interval with jitter, what the site asked for, and backoff on failure."""

from __future__ import annotations

import random
from dataclasses import dataclass

from services.ingest.settings import IngestSettings


@dataclass(frozen=True)
class Policy:
    """The scheduling knobs, from settings."""

    interval_s: float
    floor_s: float
    jitter: float
    backoff_base_s: float
    backoff_max_s: float

    @classmethod
    def from_settings(cls, settings: IngestSettings) -> Policy:
        """The policy the settings describe."""
        return cls(
            settings.poll_interval_s,
            settings.poll_interval_floor_s,
            settings.poll_jitter,
            settings.backoff_base_s,
            settings.backoff_max_s,
        )


def _jittered(delay: float, jitter: float, rng: random.Random | None) -> float:
    spread = (rng or random).uniform(-jitter, jitter)
    return delay * (1 + spread)


def after_success(
    policy: Policy,
    *,
    interval_s: float | None,
    ttl_s: float | None,
    fresh_for_s: float | None,
    rng: random.Random | None = None,
) -> float:
    """Delay after a successful or not-modified poll: the feed's interval, stretched to honour RSS ttl and
    Cache-Control/Expires (never past the backoff cap), never under the floor."""
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
