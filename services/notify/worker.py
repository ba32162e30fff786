"""The delivery worker: claims due deliveries from the store, sends them, records every attempt.

Rounds: claim due rows (leased, so several workers or a restarted one never double-send), group them into
messages, start each on its endpoint if the endpoint is available (breaker closed, under its concurrency
limit, not pacing), otherwise give the rows back. Outcomes are recorded in batches by one recorder task:
delivered, a retry at the next step of the schedule, dead, or disabled (410) — then published on
regalerts.deliveries.v1 when a publisher is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from services.notify import metrics
from services.notify.batching import Planned
from services.notify.breaker import Endpoints
from services.notify.channels import Outcome
from services.notify.channels.http import make_client
from services.notify.claiming import Round, claim_round
from services.notify.dispatcher import Dispatcher, DispatcherFactory
from services.notify.queue import record, release, retry_queue_depth
from services.notify.settings import NotifySettings
from services.pipeline.db import utcnow
from services.pipeline.events import DeliveryAttempt
from services.pipeline.metrics import END_TO_END_LATENCY, ITEMS_OUT
from services.pipeline.netguard import NetworkPolicy
from services.pipeline.stages import observe, stamped

log = logging.getLogger(__name__)

# Publishes one recorded attempt (with the item's traceparent and stage headers) on regalerts.deliveries.v1.
Publisher = Callable[[DeliveryAttempt, str | None, dict[str, str]], None]
GAUGE_EVERY_S = 5.0
RECORD_LINGER_S = 0.05
CLAIM_EVERY_S = 0.05  # while claimed messages wait, look for other endpoints' due deliveries this often
HOLD_PER_ENDPOINT = 100  # claimed messages kept waiting per endpoint; the rest go back to the store


@dataclass(frozen=True)
class _Result:
    planned: Planned
    outcome: Outcome


class DeliveryWorker:
    """Sends pending deliveries until stopped (a Worker for pipeline.runner)."""

    name = "notify-delivery"

    def __init__(
        self,
        *,
        settings: NotifySettings,
        session_factory: sessionmaker[Session],
        make_dispatcher: DispatcherFactory,
        publish: Publisher | None = None,
    ) -> None:
        self._settings = settings
        self._sessions = session_factory
        self._make_dispatcher = make_dispatcher
        self._publish = publish
        self.owner = f"w_{uuid.uuid4().hex[:16]}"
        self._stopping = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._tasks: dict[asyncio.Task[None], Planned] = {}
        self._results: asyncio.Queue[_Result | None] | None = None
        self._endpoints = Endpoints(
            concurrency=settings.endpoint_concurrency,
            failure_threshold=settings.breaker_failure_threshold,
            cooldown_s=settings.breaker_cooldown_s,
        )
        self._subscriptions_of: dict[str, set[str]] = defaultdict(set)
        self._limits: dict[str, int] = {}
        self._first_seen: dict[str, datetime] = {}
        self._traceparents: dict[str, str | None] = {}
        self._stages: dict[str, dict[str, datetime]] = {}
        self._ready: list[tuple[float, Planned]] = []  # claimed messages (and when) waiting for room
        self._claimed_at = 0.0

    def run(self) -> None:
        """Deliver until stop() is called; in-flight sends finish (within the shutdown timeout)."""
        asyncio.run(self._main())

    def stop(self) -> None:
        """Ask the worker to stop (thread-safe)."""
        self._stopping.set()
        self.wake()

    def wake(self) -> None:
        """New deliveries are due: look now rather than at the next poll (thread-safe)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(wake.set)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._results = asyncio.Queue()
        s = self._settings
        log.info("Delivery worker started", extra={"owner": self.owner})
        async with make_client(
            _policy(s), timeout_s=s.delivery_timeout_s, max_connections=s.delivery_concurrency
        ) as client:
            dispatcher = self._make_dispatcher(client)
            recorder = asyncio.create_task(self._record_loop())
            last_gauge = 0.0
            while not self._stopping.is_set():
                try:
                    started = await self._round(dispatcher)
                    if time.monotonic() - last_gauge > GAUGE_EVERY_S:
                        last_gauge = time.monotonic()
                        await asyncio.to_thread(self._update_gauge)
                except SQLAlchemyError as exc:  # the store is away: what was claimed is claimed again later
                    log.warning("Unable to claim deliveries", extra={"error": str(exc)[:300]})
                    started = 0
                if not started:
                    await self._idle(s.delivery_poll_interval_s)
            await self._drain(recorder)
        log.info("Delivery worker stopped", extra={"owner": self.owner})

    async def _idle(self, seconds: float) -> None:
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    async def _round(self, dispatcher: Dispatcher) -> int:
        """Start claimed messages whose endpoint has room, claiming more for the others; how many started."""
        capacity = self._settings.delivery_concurrency - len(self._tasks)
        if capacity <= 0:
            return 0
        started = await self._start_ready(dispatcher, capacity)
        due_to_claim = not self._ready or time.monotonic() - self._claimed_at > CLAIM_EVERY_S
        if started < capacity and due_to_claim and await self._fill():
            started += await self._start_ready(dispatcher, capacity - started)
        return started

    async def _start_ready(self, dispatcher: Dispatcher, capacity: int) -> int:
        """Start what can start; give back what waits on a breaker, a pause, or too long."""
        oldest = time.monotonic() - self._settings.delivery_lease_s / 2
        started, keep, give_back = 0, [], set()
        for claimed_at, planned in self._ready:
            endpoint = planned.batch.target.endpoint
            stale = claimed_at < oldest
            if (
                not stale
                and started < capacity
                and self._endpoints.available(endpoint, limit=self._limits.get(endpoint))
            ):
                self._start(dispatcher, planned)
                started += 1
            elif stale or self._endpoints.waiting(endpoint):
                give_back.update(planned.delivery_ids)  # breaker open or paced: let the store keep them
            else:
                keep.append((claimed_at, planned))  # only busy: start it when one of its sends finishes
        self._ready = keep
        if give_back:
            await asyncio.to_thread(self._release, give_back)
        return started

    async def _fill(self) -> bool:
        """Claim due deliveries of endpoints that can take more and have none waiting; True when any."""
        self._claimed_at = time.monotonic()
        busy = self._endpoints.unavailable(limits=self._limits) | {p.batch.target.endpoint for _, p in self._ready}
        exclude = set().union(*(self._subscriptions_of[e] for e in busy)) if busy else set()
        work = await asyncio.to_thread(self._claim, exclude)
        if work is None:
            return False
        in_flight = {i for planned in self._tasks.values() for i in planned.delivery_ids}
        work.planned = [p for p in work.planned if in_flight.isdisjoint(p.delivery_ids)]  # never twice at once
        self._first_seen.update(work.first_seen)
        self._traceparents.update(work.traceparents)
        self._stages.update(work.stages)
        held: dict[str, int] = defaultdict(int)
        give_back: set[str] = set()
        for planned in work.planned:
            target = planned.batch.target
            self._subscriptions_of[target.endpoint].add(target.subscription_id)
            if target.channel == "slack":
                self._limits[target.endpoint] = 1
            held[target.endpoint] += 1
            if held[target.endpoint] > HOLD_PER_ENDPOINT:
                give_back.update(planned.delivery_ids)  # one endpoint never hoards the claimed work
            else:
                self._ready.append((self._claimed_at, planned))
        if give_back:
            await asyncio.to_thread(self._release, give_back)
        return bool(work.planned)

    def _start(self, dispatcher: Dispatcher, planned: Planned) -> None:
        endpoint = planned.batch.target.endpoint
        self._endpoints.started(endpoint)
        task = asyncio.create_task(self._send(dispatcher, planned))
        self._tasks[task] = planned
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        if self._wake is not None:
            self._wake.set()

    async def _send(self, dispatcher: Dispatcher, planned: Planned) -> None:
        target = planned.batch.target
        outcome = Outcome(delivered=False, error="not sent")
        try:
            outcome = await dispatcher.send(planned.batch)
        finally:
            interval = self._settings.slack_min_interval_s if target.channel == "slack" else 0.0
            self._endpoints.finished(
                target.endpoint, success=outcome.delivered, retry_after_s=outcome.retry_after_s, min_interval_s=interval
            )
        assert self._results is not None
        await self._results.put(_Result(planned, outcome))

    def _claim(self, exclude: set[str]) -> Round | None:
        return claim_round(self._sessions, owner=self.owner, settings=self._settings, exclude=exclude)

    def _release(self, ids: set[str]) -> None:
        with self._sessions.begin() as session:
            release(session, ids=ids, owner=self.owner)

    async def _record_loop(self) -> None:
        assert self._results is not None
        while True:
            first = await self._results.get()
            if first is not None:
                await asyncio.sleep(RECORD_LINGER_S)  # let outcomes gather: one transaction records many
            batch = [first]
            while not self._results.empty() and len(batch) < 500:
                batch.append(self._results.get_nowait())
            results = [r for r in batch if r is not None]
            if results:
                try:
                    await asyncio.to_thread(self._record, results)
                except SQLAlchemyError as exc:  # leases expire and the deliveries are sent again, same ids
                    log.warning(
                        "Unable to record delivery attempts", extra={"count": len(results), "error": str(exc)[:300]}
                    )
            if None in batch:
                return

    def _record(self, results: list[_Result]) -> None:
        now = utcnow()
        with self._sessions.begin() as session:
            recorded = record(
                session,
                results=[(r.planned.delivery_ids, r.outcome) for r in results],
                owner=self.owner,
                now=now,
                schedule=self._settings.retry_schedule_s,
            )
        for attempt in recorded:
            self._observe(attempt, now)

    def _observe(self, attempt: DeliveryAttempt, now: datetime) -> None:
        channel = attempt.channel
        metrics.DELIVERY_ATTEMPTS.labels(channel=channel).inc()
        outcome = {"retry_scheduled": "failed"}.get(attempt.outcome, attempt.outcome)
        metrics.DELIVERIES.labels(channel=channel, outcome=outcome).inc()
        first_seen = self._first_seen.pop(attempt.delivery_id, None)
        traceparent = self._traceparents.pop(attempt.delivery_id, None)
        stages = self._stages.pop(attempt.delivery_id, {})
        if attempt.outcome == "dead":
            metrics.DEAD_DELIVERIES.labels(channel=channel).inc()
        if attempt.outcome == "delivered":
            ITEMS_OUT.labels(stage="notify").inc()  # notify's output: alerts delivered
        if attempt.outcome == "delivered":
            stages["delivered"] = now
        if attempt.outcome == "delivered" and first_seen is not None:
            END_TO_END_LATENCY.labels(channel=channel).observe(max(0.0, (now - first_seen).total_seconds()))
            observe("delivered", first_seen=first_seen, at=now)
        if self._publish is not None:
            try:
                self._publish(attempt, traceparent, stamped({}, **stages))
            except Exception as exc:
                log.warning(
                    "Unable to publish delivery attempt", extra={"delivery_id": attempt.delivery_id, "error": repr(exc)}
                )

    def _update_gauge(self) -> None:
        with self._sessions() as session:
            metrics.RETRY_QUEUE_DEPTH.set(retry_queue_depth(session))

    async def _drain(self, recorder: asyncio.Task[None]) -> None:
        """Let in-flight sends finish (bounded), give back the rest, record everything, stop the recorder."""
        pending = set(self._tasks)
        if pending:
            _done, unfinished = await asyncio.wait(pending, timeout=self._settings.shutdown_timeout_s / 2)
            ids = {i for task in unfinished if task in self._tasks for i in self._tasks[task].delivery_ids}
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
            if ids:
                await asyncio.to_thread(self._release, ids)
        held = {i for _, planned in self._ready for i in planned.delivery_ids}
        if held:
            await asyncio.to_thread(self._release, held)
        self._ready = []
        assert self._results is not None
        await self._results.put(None)
        await recorder


def _policy(settings: NotifySettings) -> NetworkPolicy:
    return NetworkPolicy(settings.ssrf_allow_cidrs)
