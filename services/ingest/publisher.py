"""The outbox publisher: stored items go to the broker, and are marked published only once it acknowledged.

While the broker is unreachable, polling goes on and items pile up in the store (the backlog gauge says how
many); they are sent when it is back. A broker that failed may have restarted empty (the embedded one keeps
everything in memory), so on recovery the items acknowledged within ``republish_window_s`` are sent again;
consumers are idempotent by item id and revision.

With several ingest replicas one publishes at a time: the holder of the ``outbox`` lease (``leases.hold``),
renewed every third of ``lease_s``; another replica takes over when it lapses, or at once when its holder
stops.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.leases import hold, let_go
from services.ingest.metrics import ITEMS_PUBLISHED, PUBLISH_BACKLOG
from services.ingest.settings import IngestSettings
from services.ingest.store import backlog_size, mark_for_republish, mark_published, pending_items, set_aside
from services.pipeline.db import utcnow
from services.pipeline.events import RawItem, wrap
from services.pipeline.metrics import ITEMS_FAILED, ITEMS_OUT
from services.pipeline.producer import send_event
from services.pipeline.stages import observe, stamped
from services.pipeline.topics import ITEMS_RAW
from services.pipeline.tracing import new_traceparent

log = logging.getLogger(__name__)
EVENT_SOURCE = "/regalerts/ingest"
OUTBOX = "outbox"  # the lease of the one replica that publishes
ProducerFactory = Callable[[], KafkaProducer]
# One record sent: item id, revision, first sight, whether it is an update, the broker's acknowledgement.
Sent = tuple[str, int, datetime, bool, FutureRecordMetadata]


class BrokerUnavailable(Exception):
    """The broker did not acknowledge a round; what was not acknowledged stays pending."""


class Publisher:
    """Sends pending items to ``regalerts.items.raw.v1``; ``run`` blocks until ``stop``."""

    name = "ingest-publisher"

    def __init__(self, *, settings: IngestSettings, sessions: sessionmaker[Session], make_producer: ProducerFactory):
        self._settings = settings
        self._sessions = sessions
        self._make_producer = make_producer
        self._producer: KafkaProducer | None = None
        self._recovering = settings.republish_on_start
        self.broker_failures = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._held_at: float | None = None  # monotonic time the outbox lease was last taken or renewed

    def wake(self) -> None:
        """Look for pending items now (called after a poll stored some)."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the round in progress and return from ``run``."""
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        """Publish rounds until stopped, waiting between them when idle or after a broker failure."""
        try:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    if not self._holds_outbox():
                        self._stop.wait(self._settings.publish_idle_s)  # another replica publishes
                        continue
                    sent = self.publish_round()
                except (KafkaError, BrokerUnavailable) as exc:
                    log.warning("Broker unavailable, items kept for later", extra={"error": str(exc)[:300]})
                    self.broker_failures += 1
                    self._drop_producer()
                    self._refresh_backlog()
                    self._stop.wait(self._settings.publish_retry_s)
                    continue
                except SQLAlchemyError as exc:
                    log.warning("Store unavailable, publishing paused", extra={"error": str(exc)[:300]})
                    self._stop.wait(self._settings.publish_retry_s)
                    continue
                if sent < self._settings.publish_batch:
                    self._wake.wait(self._settings.publish_idle_s)
        finally:
            self._close_producer()
            self._let_go()

    def _holds_outbox(self) -> bool:
        """Whether this replica publishes: one replica at a time holds the ``outbox`` lease, renewed here."""
        now = time.monotonic()
        if self._held_at is not None and now - self._held_at < self._settings.lease_s / 3:
            return True
        with self._sessions.begin() as session:
            held = hold(
                session, name=OUTBOX, owner=self._settings.replica_id, now=utcnow(), lease_s=self._settings.lease_s
            )
        if held and self._held_at is None:
            log.info("Publishing the outbox", extra={"replica": self._settings.replica_id})
        self._held_at = now if held else None
        return held

    def _let_go(self) -> None:
        if self._held_at is None:
            return
        try:
            with self._sessions.begin() as session:
                let_go(session, name=OUTBOX, owner=self._settings.replica_id, now=utcnow())
        except SQLAlchemyError:
            log.warning("Outbox lease not released: another replica takes over when it lapses")
        self._held_at = None

    def publish_round(self) -> int:
        """Send one batch of pending items and mark the acknowledged ones; return how many were sent."""
        producer = self._ensure_producer()
        with self._sessions() as session:
            batch = pending_items(session, limit=self._settings.publish_batch)
        sent: list[Sent] = []
        unreadable: list[str] = []
        for item_id, revision, payload in batch:
            try:
                item = RawItem.model_validate(payload)
            except ValidationError as exc:
                log.error("Stored item cannot be published", extra={"item_id": item_id, "error": str(exc)[:300]})
                unreadable.append(item_id)
                continue
            event = wrap(item, source=EVENT_SOURCE, subject=item_id, traceparent=new_traceparent())
            headers = stamped({}, seen=item.first_seen_at, published=utcnow())
            future = send_event(producer, ITEMS_RAW, item_id, event, headers=headers)
            sent.append((item_id, revision, item.first_seen_at, item.is_update, future))
        if unreadable:
            with self._sessions.begin() as session:
                set_aside(session, item_ids=unreadable)
            ITEMS_FAILED.labels(stage="ingest", reason="unreadable").inc(len(unreadable))
        if sent:
            self._settle(producer, sent)
        return len(sent) + len(unreadable)

    def _settle(self, producer: KafkaProducer, sent: list[Sent]) -> None:
        with contextlib.suppress(KafkaError):  # the futures say which records made it
            producer.flush(timeout=self._settings.publish_timeout_s)
        now = utcnow()
        acked = [(i, r, seen, u) for i, r, seen, u, future in sent if future.is_done and future.succeeded()]
        with self._sessions.begin() as session:
            mark_published(session, acked=[(i, r) for i, r, _, _ in acked], now=now)
            PUBLISH_BACKLOG.set(backlog_size(session))
        for _i, _r, seen, _u in acked:
            observe("published", first_seen=seen, at=now)
        updates = sum(1 for *_, is_update in acked if is_update)
        ITEMS_PUBLISHED.labels(kind="update").inc(updates)
        ITEMS_PUBLISHED.labels(kind="new").inc(len(acked) - updates)
        ITEMS_OUT.labels(stage="ingest").inc(len(acked))
        if len(acked) < len(sent):
            raise BrokerUnavailable(f"{len(sent) - len(acked)} of {len(sent)} items not acknowledged")

    def _refresh_backlog(self) -> None:
        try:
            with self._sessions() as session:
                PUBLISH_BACKLOG.set(backlog_size(session))
        except Exception:
            log.exception("Backlog count failed")

    def _ensure_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = self._make_producer()
            if self._recovering:
                self._republish_recent()
        return self._producer

    def _republish_recent(self) -> None:
        since = utcnow() - timedelta(seconds=self._settings.republish_window_s)
        with self._sessions.begin() as session:
            count = mark_for_republish(session, since=since)
        self._recovering = False
        log.info("Broker back: republishing recent items", extra={"items": count})

    def _drop_producer(self) -> None:
        self._recovering = True
        self._close_producer()

    def _close_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close(timeout=0)
            except Exception:
                log.exception("Producer close failed")
