"""Scheduling policy: interval and jitter, floor, ttl and caching hints, exponential backoff with a cap."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from services.ingest.http_headers import fresh_for_seconds, retry_after_seconds
from services.ingest.schedule import (
    ARRIVALS_KEPT,
    Policy,
    after_failure,
    after_success,
    arrived,
    publishing_interval,
    seed_arrivals,
)

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


ADAPTIVE = Policy(300, 60, 0.0, 60, 86400, ceiling_s=3600, gap_fraction=0.5, burst_window_s=900, burst_share=0.3)
HOUR = 3600.0


def test_without_history_the_default_interval_holds() -> None:
    assert after_success(ADAPTIVE, interval_s=None, ttl_s=None, fresh_for_s=None, arrivals=[], now=0) == 300
    assert after_success(ADAPTIVE, interval_s=None, ttl_s=None, fresh_for_s=None, arrivals=[0.0], now=10) == 300


def test_interval_follows_how_often_the_feed_publishes_within_floor_and_ceiling() -> None:
    every_40_min = [i * 2400.0 for i in range(10)]
    now = every_40_min[-1] + 1000  # before the next one is due
    assert publishing_interval(ADAPTIVE, every_40_min, now=now) == 1200
    every_3_min = [i * 180.0 for i in range(10)]
    assert publishing_interval(ADAPTIVE, every_3_min, now=every_3_min[-1] + 10) == 60  # floor (and bursty)
    every_day = [i * 86400.0 for i in range(10)]
    assert publishing_interval(ADAPTIVE, every_day, now=every_day[-1] + HOUR) == 3600  # ceiling


def test_a_feed_gone_quiet_slows_down() -> None:
    every_20_min = [i * 1200.0 for i in range(8)]
    soon = publishing_interval(ADAPTIVE, every_20_min, now=every_20_min[-1] + 600)
    quiet = publishing_interval(ADAPTIVE, every_20_min, now=every_20_min[-1] + 6 * HOUR)
    assert soon == 600
    assert quiet is not None and quiet > 2 * soon


def test_a_bursty_feed_is_polled_at_the_floor_after_an_item_then_slows_again() -> None:
    # A regulator publishing three notices minutes apart, once a day.
    days = [d * 86400.0 for d in range(4)]
    bursts = [t for day in days for t in (day, day + 300, day + 600)]
    last = bursts[-1]
    assert publishing_interval(ADAPTIVE, bursts, now=last + 60) == 60
    assert publishing_interval(ADAPTIVE, bursts, now=last + 2 * HOUR) == 3600
    # The same daily rhythm without bursts is never polled at the floor.
    daily = [d * 86400.0 for d in range(12)]
    assert publishing_interval(ADAPTIVE, daily, now=daily[-1] + 60) == 3600


def test_operator_interval_ttl_and_cache_control_still_win() -> None:
    every_3_min = [i * 180.0 for i in range(10)]
    now = every_3_min[-1] + 10
    fixed = after_success(ADAPTIVE, interval_s=900, ttl_s=None, fresh_for_s=None, arrivals=every_3_min, now=now)
    assert fixed == 900
    cached = after_success(ADAPTIVE, interval_s=None, ttl_s=None, fresh_for_s=1800, arrivals=every_3_min, now=now)
    assert cached == 1800
    ttl = after_success(ADAPTIVE, interval_s=None, ttl_s=7200, fresh_for_s=None, arrivals=every_3_min, now=now)
    assert ttl == 7200


def test_arrival_history_is_seeded_from_dates_and_bounded() -> None:
    assert seed_arrivals([300.0, 100.0, 100.4, 9999.0], now=1000) == [100, 300]
    history: list[float] = []
    for t in range(100):
        history = arrived(history, now=float(t))
    assert history == [float(t) for t in range(100 - ARRIVALS_KEPT, 100)]
    assert arrived([5.0, 9.0], now=7.0) == [5.0, 7.0]  # a clock stepping back never leaves a later arrival
