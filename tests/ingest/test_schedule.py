"""Scheduling policy: interval and jitter, floor, ttl and caching hints, exponential backoff with a cap."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from services.ingest.http_headers import fresh_for_seconds, retry_after_seconds
from services.ingest.schedule import Policy, after_failure, after_success

POLICY = Policy(interval_s=300, floor_s=60, jitter=0.1, backoff_base_s=60, backoff_max_s=86400)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_interval_with_jitter_stays_within_its_spread() -> None:
    rng = random.Random(7)
    delays = [after_success(POLICY, interval_s=None, ttl_s=None, fresh_for_s=None, rng=rng) for _ in range(500)]
    assert 270 <= min(delays) < 285 and 315 < max(delays) <= 330
    assert len({round(d) for d in delays}) > 20  # spread, not a fixed beat


def test_floor_holds_for_a_short_feed_interval() -> None:
    assert after_success(POLICY, interval_s=5, ttl_s=None, fresh_for_s=None) >= 60


def test_ttl_and_cache_control_stretch_the_interval_up_to_the_cap() -> None:
    no_jitter = Policy(300, 60, 0.0, 60, 86400)
    assert after_success(no_jitter, interval_s=None, ttl_s=3600, fresh_for_s=None) == 3600
    assert after_success(no_jitter, interval_s=None, ttl_s=None, fresh_for_s=900) == 900
    assert after_success(no_jitter, interval_s=None, ttl_s=None, fresh_for_s=10) == 300
    assert after_success(no_jitter, interval_s=None, ttl_s=10 * 86400, fresh_for_s=None) == 86400


def test_backoff_doubles_and_is_capped_at_a_day_and_never_gives_up() -> None:
    no_jitter = Policy(300, 60, 0.0, 60, 86400)
    delays = [after_failure(no_jitter, interval_s=None, failures=n, retry_after_s=None) for n in range(1, 40)]
    assert delays[:6] == [300, 300, 300, 480, 960, 1920]
    assert delays[-1] == 86400 and max(delays) == 86400
    assert delays == sorted(delays)


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    no_jitter = Policy(300, 60, 0.0, 60, 86400)
    assert after_failure(no_jitter, interval_s=None, failures=1, retry_after_s=7200) == 7200
    assert after_failure(no_jitter, interval_s=None, failures=1, retry_after_s=10 * 86400) == 86400
    assert after_failure(no_jitter, interval_s=None, failures=1, retry_after_s=5) == 300


def test_header_parsing() -> None:
    assert retry_after_seconds("120", now=NOW) == 120
    assert retry_after_seconds("Wed, 25 Nov 2026 12:10:00 GMT", now=NOW) == 600
    assert retry_after_seconds("soon", now=NOW) is None
    assert fresh_for_seconds("public, max-age=600", None, now=NOW) == 600
    assert fresh_for_seconds('private, max-age="60"', None, now=NOW) == 60
    assert fresh_for_seconds("no-cache, max-age=600", None, now=NOW) is None
    assert fresh_for_seconds(None, "Wed, 25 Nov 2026 13:00:00 GMT", now=NOW) == 3600
    assert fresh_for_seconds(None, "0", now=NOW) is None
