"""Leases: which replica polls a feed now, and which one publishes the outbox. Safe with several ingest
replicas on one store; a replica's leases lapse when it stops renewing them, and are taken back at once by a
process starting again under its replica id."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.ingest.models import Feed, Lease
from services.ingest.store import CHUNK


def claim_due_feeds(session: Session, *, now: datetime, limit: int, owner: str, lease_s: float) -> list[Feed]:
    """Enabled feeds due now that no live lease holds, leased to ``owner`` for ``lease_s`` seconds.

    One statement claims them: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) AND <still free>
    RETURNING id``. On PostgreSQL concurrent claimers skip each other's rows rather than wait; SQLite runs
    one writer at a time and the UPDATE checks again that each row is free. Either way a feed goes to one
    claimer. The feed's ``next_poll_at`` stays its schedule: a lease that is not renewed (its replica died)
    frees the feed after ``lease_s``, due as it was.
    """
    free = and_(
        Feed.enabled.is_(True),
        Feed.deleted_at.is_(None),
        Feed.next_poll_at <= now,
        or_(Feed.lease_until.is_(None), Feed.lease_until < now),
    )
    candidates = select(Feed.id).where(free).order_by(Feed.next_poll_at).limit(limit).with_for_update(skip_locked=True)
    claim = (
        update(Feed)
        .where(Feed.id.in_(candidates.scalar_subquery()), free)
        .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_s))
        .returning(Feed.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(session.scalars(claim))
    feeds: list[Feed] = []
    for start in range(0, len(ids), CHUNK):
        feeds.extend(session.scalars(select(Feed).where(Feed.id.in_(ids[start : start + CHUNK]))))
    return sorted(feeds, key=lambda feed: feed.next_poll_at)


def renew_leases(session: Session, *, owner: str, feed_ids: list[str], until: datetime) -> None:
    """Extend ``owner``'s leases on these feeds (the polls it still runs) to ``until``."""
    for start in range(0, len(feed_ids), CHUNK):
        session.execute(
            update(Feed)
            .where(Feed.lease_owner == owner, Feed.id.in_(feed_ids[start : start + CHUNK]))
            .values(lease_until=until)
            .execution_options(synchronize_session=False)
        )


def release_leases(session: Session, *, owner: str) -> int:
    """Free every feed ``owner`` holds (a replica starting again under its predecessor's id); return how many."""
    result = session.execute(
        update(Feed)
        .where(Feed.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def hold(session: Session, *, name: str, owner: str, now: datetime, lease_s: float) -> bool:
    """Take or renew the lease ``name`` for ``owner``: True when ``owner`` holds it now.

    It can be taken when free, lapsed, or already ``owner``'s (a process starting again under its id). The
    UPDATE checks that under the row's lock (PostgreSQL) or the single writer (SQLite); the first holder's
    INSERT is guarded by the primary key.
    """
    until = now + timedelta(seconds=lease_s)
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.owner == owner, Lease.until < now))
        .values(owner=owner, until=until)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0):
        return True
    if session.get(Lease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.execute(insert(Lease).values(name=name, owner=owner, until=until))
    except IntegrityError:
        return False  # another replica took it first
    return True


def let_go(session: Session, *, name: str, owner: str, now: datetime) -> None:
    """Give the lease up (a replica stopping), so another replica takes it at once."""
    session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.owner == owner)
        .values(until=now)
        .execution_options(synchronize_session=False)
    )
