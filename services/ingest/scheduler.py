"""The scheduler: a worker thread running an asyncio loop that polls due feeds within the limits.

Each tick claims the feeds due now (a lease in this replica's name, renewed while the poll runs: leases.py)
and starts one poll task per feed, then sends the WebSub subscription requests that are due
(subscriber.py); :meth:`Scheduler.poll_now` lets the API poll a feed at once from another thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from services.ingest.fetcher import Fetcher
from services.ingest.leases import claim_due_feeds, release_leases, renew_leases
from services.ingest.limits import HostLimiter
from services.ingest.metrics import FEEDS, PUBLISH_BACKLOG
from services.ingest.poller import Poller
from services.ingest.recorder import FeedSnapshot, PollOutcome, Prepared
from services.ingest.settings import IngestSettings
from services.ingest.store import backlog_size, feed_state_counts
from services.ingest.subscriber import Subscriber
from services.pipeline.db import utcnow
from services.pipeline.netguard import NetworkPolicy

log = logging.getLogger(__name__)
GAUGE_REFRESH_S = 5.0


class Scheduler:
    """Polls every enabled feed when it is due; ``run`` blocks until ``stop``."""

    name = "ingest-scheduler"

    def __init__(
        self,
        *,
        settings: IngestSettings,
        sessions: sessionmaker[Session],
        policy: NetworkPolicy,
        on_stored: Callable[[], None],
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._policy = policy
        self._on_stored = on_stored
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._started = threading.Event()
        self._tasks: dict[str, asyncio.Task[PollOutcome]] = {}
        self._poller: Poller | None = None
        self._subscriber: Subscriber | None = None
        self._gauges_at = 0.0
        self._renewed_at = time.monotonic()

    def run(self) -> None:
        """Run the polling loop in this thread until :meth:`stop`."""
        asyncio.run(self._main())

    def stop(self) -> None:
        """Stop claiming feeds; polls in flight finish first."""
        self._stopping = True
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def wait_started(self, timeout: float = 10.0) -> bool:
        """Block until the loop runs (for callers starting the scheduler in a thread)."""
        return self._started.wait(timeout)

    def poll_now(self, feed_id: str) -> concurrent.futures.Future[PollOutcome]:
        """Poll a feed at once (or join the poll in flight); callable from any thread."""
        if self._loop is None or not self._started.is_set():
            raise RuntimeError("the scheduler is not running")
        return asyncio.run_coroutine_threadsafe(self._poll_once(feed_id), self._loop)

    def check(self, snapshot: FeedSnapshot) -> concurrent.futures.Future[Prepared]:
        """Fetch and parse a feed not yet registered (nothing recorded), within the polling limits."""
        if self._loop is None or self._poller is None or not self._started.is_set():
            raise RuntimeError("the scheduler is not running")
        return asyncio.run_coroutine_threadsafe(self._poller.fetch(snapshot), self._loop)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        limiter = HostLimiter(
            total=self._settings.global_concurrency,
            per_host=self._settings.host_concurrency,
            min_interval_s=self._settings.host_min_interval_s,
        )
        fetcher = Fetcher(self._settings, self._policy)
        self._poller = Poller(
            settings=self._settings,
            sessions=self._sessions,
            fetcher=fetcher,
            limiter=limiter,
            on_stored=self._on_stored,
        )
        if self._settings.websub_callback_url:
            self._subscriber = Subscriber(settings=self._settings, sessions=self._sessions, policy=self._policy)
        await asyncio.to_thread(self._take_back)
        self._started.set()
        try:
            await self._ticks()
        finally:
            if self._tasks:
                await asyncio.wait(list(self._tasks.values()), timeout=self._settings.total_timeout_s)
            await fetcher.aclose()
            self._poller.close()
            if self._subscriber is not None:
                await self._subscriber.aclose()

    async def _ticks(self) -> None:
        assert self._wake is not None
        while not self._stopping:
            try:
                await self._tick()
            except Exception:
                log.exception("Scheduler tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.scheduler_tick_s)
            self._wake.clear()

    async def _tick(self) -> None:
        free = self._settings.scheduler_batch - len(self._tasks)
        if free > 0:
            due = await asyncio.to_thread(self._claim, free)
            for snapshot in due:
                if snapshot.id not in self._tasks:  # a poll asked for meanwhile is already running
                    self._start(snapshot)
        if self._subscriber is not None:
            await self._subscriber.tick()
        if self._tasks and time.monotonic() - self._renewed_at >= self._settings.lease_s / 3:
            self._renewed_at = time.monotonic()
            await asyncio.to_thread(self._renew, list(self._tasks))
        if time.monotonic() - self._gauges_at >= GAUGE_REFRESH_S:
            self._gauges_at = time.monotonic()
            await asyncio.to_thread(self.refresh_gauges)

    def _take_back(self) -> None:
        """Free the feeds a predecessor under this replica id held when it died: due ones are polled at once."""
        with self._sessions.begin() as session:
            freed = release_leases(session, owner=self._settings.replica_id)
        if freed:
            log.warning("Took back feeds a previous run left claimed", extra={"feeds": freed})

    def _claim(self, limit: int) -> list[FeedSnapshot]:
        with self._sessions.begin() as session:
            feeds = claim_due_feeds(
                session, now=utcnow(), limit=limit, owner=self._settings.replica_id, lease_s=self._settings.lease_s
            )
            return [FeedSnapshot.of(feed) for feed in feeds]

    def _renew(self, feed_ids: list[str]) -> None:
        until = utcnow() + timedelta(seconds=self._settings.lease_s)
        with self._sessions.begin() as session:
            renew_leases(session, owner=self._settings.replica_id, feed_ids=feed_ids, until=until)

    def refresh_gauges(self) -> None:
        """Set the feeds-by-state and backlog gauges from the store."""
        with self._sessions() as session:
            counts = feed_state_counts(session, failing_threshold=self._settings.failing_threshold)
            backlog = backlog_size(session)
        for state, count in counts.items():
            FEEDS.labels(state=state).set(count)
        PUBLISH_BACKLOG.set(backlog)

    def _start(self, snapshot: FeedSnapshot) -> asyncio.Task[PollOutcome]:
        assert self._poller is not None
        feed_id = snapshot.id
        task = asyncio.create_task(self._guarded_poll(self._poller, snapshot), name=f"poll-{feed_id}")
        self._tasks[feed_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(feed_id, None))
        return task

    @staticmethod
    async def _guarded_poll(poller: Poller, snapshot: FeedSnapshot) -> PollOutcome:
        try:
            return await poller.poll(snapshot)
        except Exception:
            log.exception("Feed poll failed", extra={"feed_id": snapshot.id, "feed_url": snapshot.url})
            return PollOutcome("error", "internal")

    async def _poll_once(self, feed_id: str) -> PollOutcome:
        assert self._poller is not None
        task = self._tasks.get(feed_id)
        if task is None:
            snapshot = await self._poller.snapshot(feed_id)
            if snapshot is None:
                return PollOutcome("gone")
            task = self._tasks.get(feed_id) or self._start(snapshot)
        return await asyncio.shield(task)
