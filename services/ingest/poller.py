"""Poll feeds: fetch (within the politeness limits), parse in a worker process, record in batches on a thread.

A poll never raises: whatever happens to one feed is recorded in its status and metrics, and its next
poll is scheduled (with backoff on failure), so no feed can stop the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from services.ingest.fetcher import Fetcher, FetchResult
from services.ingest.limits import HostLimiter
from services.ingest.metrics import FEED_POLLS, POLL_DURATION
from services.ingest.recorder import FeedSnapshot, PollOutcome, Prepared, Recorder, prepare
from services.ingest.settings import IngestSettings
from services.ingest.store import get_feed
from services.pipeline.metrics import ITEMS_IN
from services.pipeline.parent_death import term_on_parent_death

log = logging.getLogger(__name__)
MAX_BATCH = 100
PARSE_QUEUE = 4


def _ready() -> None:
    """Runs once in a new parser worker, so its start-up is not charged to a document."""


class Poller:
    """Polls feeds; must be used from one event loop. ``close`` shuts its worker threads down."""

    def __init__(
        self,
        *,
        settings: IngestSettings,
        sessions: sessionmaker[Session],
        fetcher: Fetcher,
        limiter: HostLimiter,
        on_stored: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._fetcher = fetcher
        self._limiter = limiter
        self._on_stored = on_stored
        self._recorder = Recorder(settings, sessions)
        self._processes = settings.parse_processes
        self._parse_timeout_s = settings.parse_timeout_s
        # A few documents queued per worker keep it busy; the timeout then also covers a short queue.
        self._parse_slots = asyncio.Semaphore(max(1, self._processes) * PARSE_QUEUE)
        self._warm: concurrent.futures.Executor | None = None
        self._parse = self._parser_pool()
        self._store = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ingest-store")
        self._queue: list[tuple[Prepared, asyncio.Future[PollOutcome]]] = []
        self._writing = False
        self._drainer: asyncio.Task[None] | None = None

    def _parser_pool(self) -> concurrent.futures.Executor:
        if self._processes == 0:
            return concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ingest-parse")
        # Parsing is the heaviest CPU work: worker processes put it on other cores. Spawned, not forked,
        # since this process runs threads.
        context = multiprocessing.get_context("spawn")
        return concurrent.futures.ProcessPoolExecutor(
            self._processes, mp_context=context, initializer=_worker_dies_with_ingest
        )

    def close(self) -> None:
        """Stop the workers (after the work queued on them)."""
        self._parse.shutdown()
        self._store.shutdown()

    async def snapshot(self, feed_id: str) -> FeedSnapshot | None:
        """The feed's snapshot, or None when it no longer exists."""

        def load() -> FeedSnapshot | None:
            with self._sessions() as session:
                feed = get_feed(session, feed_id)
                return FeedSnapshot.of(feed) if feed else None

        return await asyncio.get_running_loop().run_in_executor(self._store, load)

    async def fetch(self, snapshot: FeedSnapshot) -> Prepared:
        """Fetch, parse and normalise one feed within the limits, without recording anything."""
        async with self._limiter.slot(urlsplit(snapshot.url).hostname or ""):
            result = await self._fetcher.fetch(snapshot.url, etag=snapshot.etag, last_modified=snapshot.last_modified)
        return await self._prepare(snapshot, result)

    async def poll(self, snapshot: FeedSnapshot) -> PollOutcome:
        """Poll one feed now and record the outcome."""
        started = time.monotonic()
        prepared = await self.fetch(snapshot)
        outcome = await self._record(prepared)
        POLL_DURATION.observe(time.monotonic() - started)
        FEED_POLLS.labels(outcome=outcome.outcome, reason=outcome.reason).inc()
        if outcome.counts and outcome.counts.to_publish:
            self._on_stored()
        return outcome

    async def _prepare(self, snapshot: FeedSnapshot, result: FetchResult) -> Prepared:
        if result.outcome != "ok":
            return Prepared(snapshot, result)  # nothing to parse
        async with self._parse_slots:  # queueing happens here, so the timeout below bounds a short queue only
            for _attempt in range(2):
                pool = self._parse
                try:
                    prepared = await self._parse_in(pool, snapshot, result)
                except concurrent.futures.BrokenExecutor:
                    if pool is not self._parse:
                        continue  # its worker was replaced while this document waited: parse it in the new one
                    log.exception("Parser process died", extra={"feed_id": snapshot.id, "feed_url": snapshot.url})
                    self._replace_parser(pool)
                    error = FetchResult("error", snapshot.url, "internal", "the parser process died on this feed")
                    return Prepared(snapshot, error)
                except TimeoutError:
                    if pool is not self._parse:
                        continue  # queued behind the document that stalled the old worker: try the new one
                    log.warning("Parsing took too long", extra={"feed_id": snapshot.id, "feed_url": snapshot.url})
                    self._replace_parser(pool)
                    return Prepared(snapshot, FetchResult("error", snapshot.url, "parse", "parsing took too long"))
                except Exception:
                    log.exception("Feed could not be parsed", extra={"feed_id": snapshot.id, "feed_url": snapshot.url})
                    return Prepared(
                        snapshot, FetchResult("error", snapshot.url, "internal", "the feed could not be parsed")
                    )
                ITEMS_IN.labels(stage="ingest").inc(len(prepared.items or ()))
                return prepared
        return Prepared(snapshot, FetchResult("error", snapshot.url, "internal", "no parser available"))

    async def _parse_in(
        self, pool: concurrent.futures.Executor, snapshot: FeedSnapshot, result: FetchResult
    ) -> Prepared:
        loop = asyncio.get_running_loop()
        if pool is not self._warm:
            await loop.run_in_executor(pool, _ready)  # a new worker process starts outside the timeout
            self._warm = pool
        return await asyncio.wait_for(loop.run_in_executor(pool, prepare, snapshot, result), self._parse_timeout_s)

    def _replace_parser(self, pool: concurrent.futures.Executor) -> None:
        """A parser stuck on (or killed by) one document must not hold up every other feed: start afresh."""
        self._parse = self._parser_pool()
        # ProcessPoolExecutor has no public way to stop a busy worker: kill the processes it holds.
        for process in (getattr(pool, "_processes", None) or {}).values():
            process.kill()
        pool.shutdown(wait=False)

    async def _record(self, prepared: Prepared) -> PollOutcome:
        future: asyncio.Future[PollOutcome] = asyncio.get_running_loop().create_future()
        self._queue.append((prepared, future))
        if not self._writing:
            self._writing = True
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        """Write queued polls in batches, one transaction per batch, until the queue is empty."""
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                try:
                    outcomes = await loop.run_in_executor(self._store, self._recorder.write, [p for p, _ in batch])
                except Exception as exc:
                    log.exception("Polls could not be recorded", extra={"polls": len(batch)})
                    for _prepared, future in batch:
                        future.set_exception(exc)
                    continue
                for (_prepared, future), outcome in zip(batch, outcomes, strict=True):
                    future.set_result(outcome)
        finally:
            self._writing = False


def _worker_dies_with_ingest() -> None:
    """A parse worker gets SIGTERM when ingest dies, even by SIGKILL, instead of outliving it."""
    request = term_on_parent_death()
    if request is not None:
        request()
