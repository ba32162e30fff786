"""The WebSub subscriber: sends the subscription requests that are due to their hubs, from the scheduler's loop.

Every hub URL goes through the SSRF-guarded transport. The hub answers 202 and then verifies our intent with
a GET on the callback (``websub_api.py``), possibly before it answers, so a request is marked in the store
before it is sent.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from sqlalchemy.orm import Session, sessionmaker

from services.ingest import schedule, subscriptions
from services.ingest.metrics import WEBSUB_REQUESTS
from services.ingest.settings import IngestSettings
from services.pipeline.db import utcnow
from services.pipeline.netguard import GuardedTransport, NetworkPolicy

log = logging.getLogger(__name__)
BATCH = 50


class Subscriber:
    """Subscribes and renews; must be used from one event loop. ``aclose`` waits for requests in flight."""

    def __init__(self, *, settings: IngestSettings, sessions: sessionmaker[Session], policy: NetworkPolicy) -> None:
        self._settings = settings
        self._sessions = sessions
        self._policy = schedule.Policy.from_settings(settings)
        self._callback = settings.websub_callback_url.rstrip("/")
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(policy, retries=0),
            timeout=httpx.Timeout(settings.total_timeout_s, connect=settings.connect_timeout_s),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent},
        )
        self._tasks: set[asyncio.Task[None]] = set()

    async def tick(self) -> None:
        """Send every request due now (each in its own task)."""
        requests = await asyncio.to_thread(self._claim)
        for request in requests:
            task = asyncio.create_task(self._send(request), name=f"websub-{request.id[:8]}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Let requests in flight finish, then close the connection pool."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self._settings.total_timeout_s)
        await self._client.aclose()

    def _claim(self) -> list[subscriptions.Request]:
        with self._sessions.begin() as session:
            return subscriptions.claim_due(
                session, now=utcnow(), limit=BATCH, lease_s=self._settings.total_timeout_s + self._settings.lease_s
            )

    async def _send(self, request: subscriptions.Request) -> None:
        form = {
            "hub.mode": "subscribe",
            "hub.topic": request.topic_url,
            "hub.callback": f"{self._callback}/websub/{request.id}",
            "hub.secret": request.secret,
            "hub.lease_seconds": str(self._settings.websub_lease_s),
        }
        error: str | None = None
        try:
            response = await self._client.post(request.hub_url, data=form)
            if not 200 <= response.status_code < 300:
                error = f"the hub answered HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"the hub could not be reached: {type(exc).__name__}: {exc}"[:500]
        WEBSUB_REQUESTS.labels(outcome="sent" if error is None else "failed").inc()
        await asyncio.to_thread(self._record, request, error)

    def _record(self, request: subscriptions.Request, error: str | None) -> None:
        def retry_s(failures: int) -> float:
            return schedule.after_failure(self._policy, interval_s=None, failures=failures, retry_after_s=None)

        with self._sessions.begin() as session:
            recorded = subscriptions.request_sent(session, request, error=error, retry_s=retry_s, now=utcnow())
        if error is not None and recorded is not None:
            log.warning(
                "WebSub subscription failed, polling instead",
                extra={"feed_id": recorded.feed_id, "hub_url": request.hub_url, "error": error},
            )
