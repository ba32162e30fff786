"""Feed leases on SQLite and PostgreSQL: concurrent claimers share due feeds without overlap; a lease that is
not renewed frees its feed; a replica starting again takes back what it held."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.leases import claim_due_feeds, release_leases, renew_leases
from services.ingest.models import Feed
from services.pipeline.db import utcnow

FEEDS = 2000


def add_due_feeds(sessions: sessionmaker[Session], count: int) -> set[str]:
    past = utcnow() - timedelta(minutes=1)
    rows = [{"id": f"f{n:05}", "url": f"https://example.org/{n}.xml", "next_poll_at": past} for n in range(count)]
    with sessions.begin() as session:
        session.execute(insert(Feed), rows)
    return {row["id"] for row in rows}


def claim(
    sessions: sessionmaker[Session], owner: str, *, limit: int = 50, lease_s: float = 300, at: float = 0
) -> list[str]:
    with sessions.begin() as session:
        now = utcnow() + timedelta(seconds=at)
        return [f.id for f in claim_due_feeds(session, now=now, limit=limit, owner=owner, lease_s=lease_s)]


def test_two_claimers_over_2000_feeds_claim_every_due_feed_exactly_once(sessions: sessionmaker[Session]) -> None:
    due = add_due_feeds(sessions, FEEDS)
    claimed: dict[str, list[str]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def claimer(owner: str) -> None:
        start.wait()
        while batch := claim(sessions, owner):
            claimed[owner].extend(batch)

    threads = [threading.Thread(target=claimer, args=(owner,)) for owner in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    a, b = claimed["a"], claimed["b"]
    assert len(a) + len(b) == FEEDS, "a feed was claimed twice"
    assert set(a) | set(b) == due and not set(a) & set(b)
    with sessions() as session:
        owners = {f.id: f.lease_owner for f in session.query(Feed)}
    assert all(owners[i] == "a" for i in a) and all(owners[i] == "b" for i in b)


def test_a_lease_not_renewed_frees_the_feed_and_a_restart_takes_it_back(sessions: sessionmaker[Session]) -> None:
    add_due_feeds(sessions, 3)
    assert len(claim(sessions, "dead", lease_s=30)) == 3
    assert claim(sessions, "other") == []  # held
    assert len(claim(sessions, "other", at=31)) == 3  # the lease ran out: due as it was
    with sessions.begin() as session:
        assert release_leases(session, owner="other") == 3  # "other" started again under the same id
    assert len(claim(sessions, "other")) == 3  # at once


def test_renewing_keeps_only_the_owners_polls_in_flight(sessions: sessionmaker[Session]) -> None:
    ids = sorted(add_due_feeds(sessions, 2))
    assert sorted(claim(sessions, "me", lease_s=30)) == ids
    with sessions.begin() as session:
        renew_leases(session, owner="me", feed_ids=ids[:1], until=utcnow() + timedelta(seconds=120))
        renew_leases(session, owner="someone-else", feed_ids=ids[1:], until=utcnow() + timedelta(seconds=120))
    assert claim(sessions, "other", at=60) == ids[1:]  # the one renewed stays with "me"
