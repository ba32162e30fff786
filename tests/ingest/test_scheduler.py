"""The scheduler thread and the politeness limits: due feeds are polled, limits hold, gauges follow."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.health import FEED_STATES
from services.ingest.limits import HostLimiter
from services.ingest.scheduler import Scheduler
from services.ingest.settings import IngestSettings
from services.pipeline.netguard import NetworkPolicy
from tests.ingest.conftest import Reply, Site, add_feed, feed, item, rss


class Concurrency:
    """Counts requests in flight at a route and the most seen at once."""

    def __init__(self, hold_s: float, body: bytes) -> None:
        self.hold_s, self.body = hold_s, body
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, _handler: Any) -> Reply:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.hold_s)
        with self.lock:
            self.now -= 1
        return Reply(200, self.body)


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def running(settings: IngestSettings, sessions: sessionmaker[Session]) -> Iterator[Scheduler]:
    scheduler = Scheduler(
        settings=settings.model_copy(update={"host_concurrency": 2}),
        sessions=sessions,
        policy=NetworkPolicy(settings.ssrf_allow_cidrs),
        on_stored=lambda: None,
    )
    thread = threading.Thread(target=scheduler.run, daemon=True)
    thread.start()
    assert scheduler.wait_started()
    yield scheduler
    scheduler.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_due_feeds_are_polled_and_scheduled_again(
    site: Site, sessions: sessionmaker[Session], running: Scheduler
) -> None:
    good = add_feed(sessions, site.serve("/good", Reply(200, rss([item(1)]))))
    broken = add_feed(sessions, site.serve("/broken", Reply(200, b"\x00\xff garbage")))
    disabled = add_feed(sessions, site.serve("/off", Reply(200, rss([]))), enabled=False)
    wait_for(lambda: feed(sessions, good).last_polled_at and feed(sessions, broken).last_polled_at, 20, "both polls")
    status = feed(sessions, good)
    assert status.items_seen == 1 and status.last_polled_at is not None
    assert (status.next_poll_at - status.last_polled_at).total_seconds() >= 60
    assert feed(sessions, broken).last_error_reason == "parse"
    assert site.hits("/off") == [] and feed(sessions, disabled).last_polled_at is None
    running.refresh_gauges()
    gauge = {s: REGISTRY.get_sample_value("regalerts_feeds", {"state": s}) for s in FEED_STATES}
    assert gauge == {"pending": 0, "ok": 1, "error": 1, "failing": 0, "disabled": 1}  # the broken feed is not ok


def test_a_host_with_many_feeds_gets_at_most_its_share(
    site: Site, sessions: sessionmaker[Session], running: Scheduler
) -> None:
    route = Concurrency(0.4, rss([]))
    ids = [add_feed(sessions, site.serve(f"/f{n}", route)) for n in range(8)]
    wait_for(lambda: all(feed(sessions, i).last_polled_at for i in ids), 30, "every feed polled")
    assert route.peak == 2


def test_poll_now_joins_the_poll_in_flight(site: Site, sessions: sessionmaker[Session], running: Scheduler) -> None:
    route = Concurrency(0.3, rss([item(1)]))
    feed_id = add_feed(sessions, site.serve("/f", route))
    first, second = running.poll_now(feed_id), running.poll_now(feed_id)
    assert first.result(10).outcome == "ok" and second.result(10).outcome == "ok"
    assert len(site.hits("/f")) == 1


def test_limiter_holds_the_global_bound_and_spaces_requests_to_a_host() -> None:
    async def main() -> tuple[int, list[float]]:
        limiter = HostLimiter(total=3, per_host=2, min_interval_s=0.05)
        in_flight = peak = 0
        starts: list[float] = []

        async def one(host: str) -> None:
            nonlocal in_flight, peak
            async with limiter.slot(host):
                if host == "h0":
                    starts.append(time.monotonic())
                in_flight += 1
                peak = max(peak, in_flight)
                await asyncio.sleep(0.1)
                in_flight -= 1

        await asyncio.gather(*(one(f"h{n % 5}") for n in range(30)))
        return peak, starts

    peak, starts = asyncio.run(main())
    assert peak == 3
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 6 and min(gaps) >= 0.045
