"""What notify reads from its store all the time or all at once: the index signatures asked on every consumed
item (they change with the tables, and come from indexes), and the keys replicas create on start."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from services.notify.schemas import SubscriptionCreate
from services.notify.store import create_subscription, create_tenant, stored_key, subscriptions_signature
from services.notify.watchlists import watchlists_signature


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_signatures_change_with_subscriptions(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session, session.begin():
        tenant, _ = create_tenant(session, name="t")
        before = subscriptions_signature(session)
        data = SubscriptionCreate.model_validate(
            {"name": "s", "channel": {"type": "webhook", "url": "https://h.example/x", "format": "json"}}
        )
        create_subscription(session, tenant_id=tenant.id, data=data)
        assert subscriptions_signature(session) != before
        assert subscriptions_signature(session)[0] == before[0] + 1


def test_no_signature_query_scans_its_table(sqlite_engine: Engine) -> None:
    signatures: list[Callable[[Session], object]] = [subscriptions_signature, watchlists_signature]
    with Session(sqlite_engine) as session:
        with statements(sqlite_engine) as seen:
            for signature in signatures:
                signature(session)
        plans = [" / ".join(row[3] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()) for sql in seen]
    assert len(plans) == 4
    for sql, plan in zip(seen, plans, strict=True):
        assert "SCAN" not in plan or "COVERING INDEX" in plan, f"{sql!r} scans its table: {plan}"


def test_replicas_starting_together_agree_on_one_stored_key(engine: Engine) -> None:
    sessions = sessionmaker(engine)
    barrier, keys, errors = threading.Barrier(4), [], []

    def start() -> None:
        barrier.wait()
        try:
            with sessions.begin() as session:
                keys.append(stored_key(session, name="unsubscribe"))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and len(keys) == 4 and len(set(keys)) == 1
    with sessions() as session:
        assert stored_key(session, name="unsubscribe") == keys[0]
