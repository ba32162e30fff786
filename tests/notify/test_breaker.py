"""Per-endpoint breaker, concurrency and pacing, on a fake clock."""

from __future__ import annotations

from services.notify.breaker import Endpoints


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def endpoints(clock: Clock) -> Endpoints:
    return Endpoints(concurrency=2, failure_threshold=3, cooldown_s=10, clock=clock)


def test_concurrency_limit_per_endpoint() -> None:
    e = endpoints(Clock())
    e.started("a")
    e.started("a")
    assert not e.available("a") and e.available("b")
    e.finished("a", success=True)
    assert e.available("a")
    assert e.unavailable() == set()


def test_breaker_opens_after_threshold_then_allows_one_probe() -> None:
    clock = Clock()
    e = endpoints(clock)
    for _ in range(3):
        e.started("a")
        e.finished("a", success=False)
    assert e.is_open("a") and not e.available("a") and e.unavailable() == {"a"}
    clock.now += 11
    assert e.available("a")
    e.started("a")
    assert not e.available("a")  # half-open: one probe at a time
    e.finished("a", success=False)
    assert e.is_open("a")  # the probe failed: open again
    clock.now += 11
    e.started("a")
    e.finished("a", success=True)
    assert not e.is_open("a") and e.state("a").failures == 0


def test_retry_after_and_min_interval_pace_the_endpoint() -> None:
    clock = Clock()
    e = endpoints(clock)
    e.started("s")
    e.finished("s", success=False, retry_after_s=5)
    assert not e.available("s")
    clock.now += 5.1
    assert e.available("s")
    e.started("s")
    e.finished("s", success=True, min_interval_s=1)
    assert not e.available("s")
    clock.now += 1.1
    assert e.available("s", limit=1)
