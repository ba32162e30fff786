"""The intake's index cache follows subscription changes (create, change, pause, delete) on both stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from services.notify.matching import match
from services.notify.models import Subscription
from services.notify.schemas import Filters, SubscriptionUpdate
from services.notify.store import active_secrets, get_subscription, rotate_secret, update_subscription
from services.pipeline.db import utcnow
from tests.notify.conftest import Running, make_item


def test_index_follows_subscription_changes(engine: Engine, notify_on: Callable[..., Running]) -> None:
    running = notify_on(engine, start=False)
    tenant = running.tenant()
    hook = {"type": "webhook", "url": "https://hooks.example.org/x"}
    acme, _ = running.subscribe(tenant, hook, filters={"companies": ["acme"]})
    globex, _ = running.subscribe(tenant, hook, filters={"companies": ["globex"]})
    item = make_item()  # Acme Corp

    def matched() -> set[str]:
        with running.context.sessions() as session:
            index, _, _ = running.intake.cache.refresh(session)
        return {rule.subscription_id for rule in match(item, index)}

    assert matched() == {acme}
    with running.context.sessions.begin() as session:
        subscription = get_subscription(session, tenant_id=tenant, subscription_id=globex)
        assert subscription is not None
        update_subscription(
            session, subscription=subscription, data=SubscriptionUpdate(filters=Filters(companies=["Acme Corp"]))
        )
    assert matched() == {acme, globex}
    with running.context.sessions.begin() as session:
        subscription = get_subscription(session, tenant_id=tenant, subscription_id=acme)
        assert subscription is not None
        update_subscription(session, subscription=subscription, data=SubscriptionUpdate(paused=True))
    assert matched() == {globex}
    with running.context.sessions.begin() as session:
        session.delete(session.get(Subscription, globex))
    assert matched() == set()


def test_previous_secret_signs_only_during_the_overlap(engine: Engine, notify_on: Callable[..., Running]) -> None:
    running = notify_on(engine, start=False)
    sub_id, first = running.subscribe(running.tenant(), {"type": "webhook", "url": "https://hooks.example.org/x"})
    with running.context.sessions.begin() as session:
        subscription = session.get(Subscription, sub_id)
        assert subscription is not None
        second, expires = rotate_secret(session, subscription=subscription, overlap_s=3600)
        assert active_secrets(subscription, now=utcnow()) == (second, first)
        assert active_secrets(subscription, now=expires + timedelta(seconds=1)) == (second,)
