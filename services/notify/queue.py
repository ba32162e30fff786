"""The durable delivery queue in the store: enqueue idempotently, claim with a lease, record outcomes.

A delivery's id is its idempotency key, derived from (subscription, item, revision): the broker may
redeliver an item any number of times, the insert is ``ON CONFLICT DO NOTHING``. Retries are rows with a
later ``next_attempt_at``, so the schedule survives restarts; a crashed worker's lease simply expires.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.notify.channels import Outcome
from services.notify.models import AlertItem, Attempt, Delivery, StoryAlert, Subscription
from services.notify.schedule import next_retry_at
from services.pipeline.db import Base
from services.pipeline.events import DeliveryAttempt
from services.pipeline.paging import PageRequest, keyset


def alert_item_key(item_id: str, revision: int) -> str:
    """Id of one revision of an item."""
    return "itm_" + hashlib.sha256(f"{item_id}\n{revision}".encode()).hexdigest()[:32]


def delivery_key(subscription_id: str, item_id: str, revision: int) -> str:
    """The idempotency key of the alert of one item revision for one subscription."""
    return "msg_" + hashlib.sha256(f"{subscription_id}\n{item_id}\n{revision}".encode()).hexdigest()[:32]


def insert_ignoring_duplicates(
    session: Session, model: type[AlertItem] | type[Delivery], rows: Sequence[dict[str, Any]]
) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; the number of rows inserted.

    The rows go as parameters of one cached statement (executemany), not as a VALUES list compiled anew for
    every call; their keys are column names and every row has the same keys."""
    if not rows:
        return 0
    statement = _ignoring_duplicates(session, model).returning(model.__table__.c.id)
    return len(session.connection().execute(statement, list(rows)).all())  # rowcount is unreliable on PostgreSQL


def _ignoring_duplicates(session: Session, model: type[Base]) -> sqlite.Insert | postgresql.Insert:
    """A Core INSERT ... ON CONFLICT DO NOTHING of the model's table (no ORM bulk processing per row)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(cast(Table, model.__table__)).on_conflict_do_nothing()


def claim_stories(
    session: Session, *, story_id: str, item_id: str, subscription_ids: Collection[str]
) -> dict[str, str]:
    """Record, for each subscription not yet alerted about the story, that this item alerts it; the item id
    each subscription was (or is now) first alerted with. Concurrent claims of one story by two replicas
    meet on the primary key: one inserts, the other finds the row."""
    if not subscription_ids:
        return {}
    rows = [{"subscription_id": s, "story_id": story_id, "item_id": item_id} for s in sorted(subscription_ids)]
    session.connection().execute(_ignoring_duplicates(session, StoryAlert), rows)
    query = select(StoryAlert.subscription_id, StoryAlert.item_id).where(
        StoryAlert.story_id == story_id, StoryAlert.subscription_id.in_(list(subscription_ids))
    )
    return {subscription_id: first for subscription_id, first in session.execute(query)}


def previously_alerted(session: Session, *, item_id: str, revision: int, subscription_ids: Collection[str]) -> set[str]:
    """Subscriptions already alerted about an earlier revision of the item."""
    earlier = [alert_item_key(item_id, r) for r in range(1, revision)]
    if not earlier or not subscription_ids:
        return set()
    query = select(Delivery.subscription_id).where(
        Delivery.alert_item_id.in_(earlier), Delivery.subscription_id.in_(list(subscription_ids))
    )
    return set(session.scalars(query))


@dataclass(frozen=True)
class Claimed:
    """A delivery reserved by this worker."""

    id: str
    subscription_id: str
    alert_item_id: str
    kind: str
    channel: str
    digest: bool
    attempts: int
    watchlist_hits: list[dict[str, str]] = field(default_factory=list)  # the tenant's entities found in the item
    created_at: datetime | None = None  # when the item was matched to the subscription
    matched: list[dict[str, Any]] = field(default_factory=list)  # why: [{"filter", "value", "evidence"}]


def claim(
    session: Session, *, owner: str, now: datetime, lease_s: float, limit: int, exclude: Collection[str] = ()
) -> list[Claimed]:
    """Reserve up to ``limit`` due deliveries of active subscriptions (not those in ``exclude``)."""
    due = (
        select(Delivery.id)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(
            Delivery.status == "pending",
            Delivery.next_attempt_at <= now,
            or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
            Subscription.paused.is_(False),
            Subscription.disabled_reason.is_(None),
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
    )
    if exclude:
        due = due.where(Delivery.subscription_id.not_in(list(exclude)))
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), or_(Delivery.lease_until.is_(None), Delivery.lease_until < now))
        .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_s))
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(
            Delivery.id,
            Delivery.subscription_id,
            Delivery.alert_item_id,
            Delivery.kind,
            Delivery.channel,
            Delivery.digest,
            Delivery.attempts,
            Delivery.watchlist_hits,
            Delivery.created_at,
            Delivery.matched,
        ).where(Delivery.id.in_(ids), Delivery.lease_owner == owner, Delivery.status == "pending")
    )
    return [Claimed(*row) for row in rows]


def release(session: Session, *, ids: Collection[str], owner: str) -> None:
    """Give claimed deliveries back without an attempt (their endpoint was busy or its breaker open)."""
    if ids:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(list(ids)), Delivery.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )


def load_items(session: Session, *, ids: Collection[str]) -> dict[str, AlertItem]:
    """Alerted item revisions by id."""
    return {row.id: row for row in session.scalars(select(AlertItem).where(AlertItem.id.in_(list(ids))))}


def retry_queue_depth(session: Session) -> int:
    """Deliveries waiting for a retry: pending after at least one failed attempt."""
    query = select(func.count(Delivery.id)).where(and_(Delivery.status == "pending", Delivery.attempts > 0))
    return int(session.scalar(query) or 0)


def record(
    session: Session,
    *,
    results: Sequence[tuple[Sequence[str], Outcome]],
    owner: str,
    now: datetime,
    schedule: list[float],
) -> list[DeliveryAttempt]:
    """Record sends' outcomes on their deliveries (delivered, a retry, dead or disabled) in a few statements."""
    outcome_of = {delivery_id: outcome for ids, outcome in results for delivery_id in ids}
    if not outcome_of:
        return []
    columns = (Delivery.id, Delivery.attempts, Delivery.item_id, Delivery.subscription_id, Delivery.tenant_id)
    query = select(*columns, Delivery.channel, Delivery.lease_owner, Delivery.next_attempt_at).where(
        Delivery.id.in_(list(outcome_of)), Delivery.status == "pending"
    )
    changes: list[dict[str, Any]] = []
    attempts: list[DeliveryAttempt] = []
    for row in session.execute(query):
        change, attempt = _settle(row, outcome_of[row.id], owner=owner, now=now, schedule=schedule)
        changes.append(change)
        attempts.append(attempt)
    if changes:
        session.execute(update(Delivery), changes)
        session.execute(insert(Attempt), [_history(attempt) for attempt in attempts])
    for subscription_id, seconds in _retry_afters(attempts, outcome_of).items():
        hold_endpoint(session, subscription_id=subscription_id, until=now + timedelta(seconds=seconds))
    gone = {a.subscription_id: outcome_of[a.delivery_id] for a in attempts if outcome_of[a.delivery_id].gone}
    for subscription_id, outcome in gone.items():
        session.execute(
            update(Subscription)
            .where(Subscription.id == subscription_id)
            .values(disabled_reason=outcome.error or "endpoint answered 410 Gone", updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return attempts


def _retry_afters(attempts: Sequence[DeliveryAttempt], outcome_of: dict[str, Outcome]) -> dict[str, float]:
    """The longest Retry-After each subscription's endpoint answered in these attempts."""
    holds: dict[str, float] = {}
    for attempt in attempts:
        seconds = outcome_of[attempt.delivery_id].retry_after_s
        if seconds:
            holds[attempt.subscription_id] = max(seconds, holds.get(attempt.subscription_id, 0.0))
    return holds


def hold_endpoint(session: Session, *, subscription_id: str, until: datetime) -> None:
    """Pending deliveries to the subscription's endpoint (its URL, whichever subscription) wait until
    ``until``, as its Retry-After asked: they are attempted then, and ``next_attempt_at`` says so."""
    url = select(Subscription.url).where(Subscription.id == subscription_id).scalar_subquery()
    same_endpoint = select(Subscription.id).where(or_(Subscription.id == subscription_id, Subscription.url == url))
    session.execute(
        update(Delivery)
        .where(
            Delivery.status == "pending",
            Delivery.next_attempt_at < until,
            Delivery.subscription_id.in_(same_endpoint),
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )


def _settle(
    row: Any, outcome: Outcome, *, owner: str, now: datetime, schedule: list[float]
) -> tuple[dict[str, Any], DeliveryAttempt]:
    """The new state of one delivery after an attempt, and the attempt as published."""
    count = row.attempts + 1
    label, next_at = _next_state(count, outcome, now=now, schedule=schedule)
    change: dict[str, Any] = {"lease_owner": None, "lease_until": None} if row.lease_owner == owner else {}
    change |= {
        "id": row.id,
        "attempts": count,
        "status": "pending" if label == "retry_scheduled" else label,
        "next_attempt_at": next_at or row.next_attempt_at,
        "delivered_at": now if outcome.delivered else None,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
    }
    attempt = DeliveryAttempt(
        delivery_id=row.id,
        item_id=row.item_id,
        subscription_id=row.subscription_id,
        tenant_id=row.tenant_id,
        channel=row.channel,
        attempt=count,
        outcome=label,
        status_code=outcome.status_code,
        latency_ms=outcome.latency_ms,
        error=outcome.error,
        attempted_at=now,
        next_attempt_at=next_at if label == "retry_scheduled" else None,
    )
    return change, attempt


def _history(attempt: DeliveryAttempt) -> dict[str, Any]:
    """The notify_attempts row of a published attempt."""
    return {
        "delivery_id": attempt.delivery_id,
        "attempt": attempt.attempt,
        "attempted_at": attempt.attempted_at,
        "outcome": attempt.outcome,
        "status_code": attempt.status_code,
        "latency_ms": attempt.latency_ms,
        "error": attempt.error,
    }


def _next_state(
    attempts: int, outcome: Outcome, *, now: datetime, schedule: list[float]
) -> tuple[str, datetime | None]:
    if outcome.delivered:
        return "delivered", None
    if outcome.gone:
        return "disabled", None
    next_at = next_retry_at(now, attempts=attempts, schedule=schedule, retry_after_s=outcome.retry_after_s)
    return ("dead", None) if next_at is None else ("retry_scheduled", next_at)


def list_deliveries(
    session: Session, *, tenant_id: str, subscription_id: str | None, status: str | None, page: PageRequest
) -> tuple[list[Delivery], dict[str, list[Attempt]]]:
    """A page of the tenant's deliveries, newest first, with their attempts (one row more when more follow)."""
    query = select(Delivery).where(Delivery.tenant_id == tenant_id)
    if subscription_id is not None:
        query = query.where(Delivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(Delivery.status == status)
    rows = list(session.scalars(keyset(query, page, created=Delivery.created_at, ident=Delivery.id, newest_first=True)))
    history: dict[str, list[Attempt]] = {row.id: [] for row in rows}
    if rows:
        attempts = select(Attempt).where(Attempt.delivery_id.in_(list(history))).order_by(Attempt.attempt)
        for attempt in session.scalars(attempts):
            history[attempt.delivery_id].append(attempt)
    return rows, history


def attempts_of(session: Session, *, delivery_id: str) -> list[Attempt]:
    """The recorded attempts of one delivery, in order."""
    return list(session.scalars(select(Attempt).where(Attempt.delivery_id == delivery_id).order_by(Attempt.attempt)))


def replay(session: Session, *, tenant_id: str, delivery_id: str, now: datetime) -> Delivery | None:
    """Make one of the tenant's deliveries due again now (whatever its state); None when not the tenant's."""
    row = session.scalar(select(Delivery).where(Delivery.id == delivery_id, Delivery.tenant_id == tenant_id))
    if row is None:
        return None
    row.status, row.next_attempt_at = "pending", now
    row.lease_owner, row.lease_until, row.delivered_at = None, None, None
    session.flush()
    return row
