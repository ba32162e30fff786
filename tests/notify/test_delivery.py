"""Intake + delivery worker against real local endpoints, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine, select, update

from services.notify.api.app import create_app
from services.notify.models import Attempt, Delivery, Subscription
from services.notify.store import create_tenant
from services.pipeline.db import utcnow
from tests.notify.conftest import Receiver, Running, ServedApp, make_item, wait_for


def _webhook(running: Running, receiver: Receiver, path: str, **fields: object) -> str:
    tenant = running.tenant()
    sub_id, secret = running.subscribe(tenant, {"type": "webhook", "url": receiver.url + path}, **fields)
    assert secret is not None and secret.startswith("whsec_")
    receiver.secrets[path] = secret
    return sub_id


def test_signed_alert_delivered_once_whatever_the_broker_redelivers(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine)
    _webhook(running, receiver, "/hook", filters={"companies": ["Acme Corp"]})
    item = make_item("feed:1")
    assert running.intake.ingest(item) == 1
    assert running.intake.ingest(item) == 0  # redelivered by the broker
    running.intake.ingest(make_item("feed:other", companies=[("globex", "Globex", 0.9)]))
    wait_for(lambda: len(receiver.on("/hook")) == 1, "the alert")
    body = receiver.on("/hook")[0].json()
    assert body["type"] == "alert.created"
    assert body["data"]["item"]["title"] == item.item.title
    assert body["data"]["companies"][0]["name"] == "Acme Corp"
    assert body["data"]["regulators"][0]["acronym"] == "SEC"
    assert body["data"]["actions"][0]["type"] == "fine"
    assert receiver.on("/hook")[0].headers["webhook-id"] == body["data"]["id"]
    assert receiver.refused == 0
    wait_for(lambda: [d.status for d in running.deliveries()] == ["delivered"], "the delivery to be recorded")
    # A new revision of the same item is an update, sent once.
    update_item = make_item("feed:1", revision=2, title="SEC fines Acme Corp $7m, amended")
    assert running.intake.ingest(update_item) == 1
    assert running.intake.ingest(update_item) == 0
    wait_for(lambda: len(receiver.on("/hook")) == 2, "the update")
    assert receiver.on("/hook")[1].json()["type"] == "alert.updated"
    wait_for(
        lambda: all(a.outcome == "delivered" for a in running.published) and len(running.published) == 2,
        "both attempts to be published",
    )


def test_failing_endpoint_gets_every_alert_exactly_once_after_recovering(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine, retry_schedule_s=[0.05] * 8, breaker_failure_threshold=3)
    _webhook(running, receiver, "/flaky")
    receiver.answer("/flaky", *([500] * 6 + [503] * 3))
    for n in range(8):
        running.intake.ingest(make_item(f"feed:{n}"))
    wait_for(lambda: len(receiver.on("/flaky")) == 8, "all eight alerts")
    wait_for(lambda: all(d.status == "delivered" for d in running.deliveries()), "every delivery recorded")
    ids = Counter(r.headers["webhook-id"] for r in receiver.on("/flaky"))
    assert len(ids) == 8 and set(ids.values()) == {1}
    with running.context.sessions() as session:
        failed = session.scalars(select(Attempt).where(Attempt.outcome == "retry_scheduled")).all()
    assert failed and {a.status_code for a in failed} <= {500, 503}


def test_slow_endpoint_does_not_delay_a_healthy_one(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(
        engine, start=False, endpoint_concurrency=2, delivery_timeout_s=30, delivery_lease_s=60, delivery_batch_size=10
    )
    receiver.hold["/slow"] = threading.Event()
    tenant = running.tenant()
    _, secret = running.subscribe(tenant, {"type": "webhook", "url": receiver.url + "/slow"})
    receiver.secrets["/slow"] = secret or ""
    for n in range(30):  # a backlog for the slow endpoint, due before anything else
        running.intake.ingest(make_item(f"feed:backlog:{n}"))
    _, secret = running.subscribe(tenant, {"type": "webhook", "url": receiver.url + "/fast"})
    receiver.secrets["/fast"] = secret or ""
    for n in range(10):
        running.intake.ingest(make_item(f"feed:{n}"))
    running.start()
    wait_for(lambda: len(receiver.on("/fast")) == 10, "every alert at the healthy endpoint")
    assert receiver.on("/slow") == []  # still held
    receiver.hold["/slow"].set()
    wait_for(lambda: len(receiver.on("/slow")) == 40, "the slow endpoint to catch up")
    ids = Counter(r.headers["webhook-id"] for r in receiver.on("/slow"))
    assert len(ids) == 40 and set(ids.values()) == {1}


def test_gone_endpoint_disables_the_subscription(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine)
    sub_id = _webhook(running, receiver, "/gone")
    receiver.answer("/gone", 410)
    running.intake.ingest(make_item("feed:1"))
    wait_for(lambda: [d.status for d in running.deliveries()] == ["disabled"], "the 410 to disable")
    with running.context.sessions() as session:
        subscription = session.get(Subscription, sub_id)
        assert subscription is not None and "410" in (subscription.disabled_reason or "")
    assert running.intake.ingest(make_item("feed:2")) == 0  # a disabled subscription matches nothing


def test_retries_end_dead_after_the_schedule(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine, retry_schedule_s=[0.01, 0.01], breaker_failure_threshold=10)
    _webhook(running, receiver, "/down")
    receiver.answer("/down", *([500] * 10))
    running.intake.ingest(make_item("feed:1"))
    wait_for(lambda: [d.status for d in running.deliveries()] == ["dead"], "the delivery to die")
    delivery = running.deliveries()[0]
    assert delivery.attempts == 3 and delivery.last_status_code == 500
    outcomes = ["retry_scheduled", "retry_scheduled", "dead"]
    wait_for(lambda: [a.outcome for a in running.published] == outcomes, "the attempts to be published")


def test_retry_after_pushes_the_next_attempt(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine, retry_schedule_s=[0.01, 0.01])
    _webhook(running, receiver, "/busy")
    receiver.answer("/busy", (429, {"Retry-After": "3600"}))
    before = utcnow()
    running.intake.ingest(make_item("feed:1"))
    wait_for(lambda: running.deliveries()[0].attempts == 1, "the first attempt")
    delivery = running.deliveries()[0]
    assert delivery.status == "pending" and delivery.last_status_code == 429
    assert (delivery.next_attempt_at - before).total_seconds() >= 3500


def test_paused_subscription_holds_deliveries_until_resumed(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine)
    sub_id = _webhook(running, receiver, "/p")
    with running.context.sessions.begin() as session:
        running.intake.cache.refresh(session)
    running.intake.ingest(make_item("feed:1"))
    with running.context.sessions.begin() as session:
        session.execute(update(Subscription).where(Subscription.id == sub_id).values(paused=True, updated_at=utcnow()))
        session.execute(update(Delivery).values(next_attempt_at=utcnow()))
    assert running.intake.ingest(make_item("feed:2")) == 0  # paused: not matched
    with running.context.sessions.begin() as session:
        session.execute(update(Subscription).where(Subscription.id == sub_id).values(paused=False, updated_at=utcnow()))
    running.worker.wake()
    wait_for(lambda: len(receiver.on("/p")) >= 1, "the held alert after resuming")


def test_deliveries_held_by_retry_after_show_when_they_will_be_attempted(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    running = notify_on(engine, start=False, endpoint_concurrency=1, retry_schedule_s=[1.0])
    with running.context.sessions.begin() as session:
        tenant, key = create_tenant(session, name="held")
        tenant_id = tenant.id
    for _ in range(2):  # two subscriptions on one endpoint: the Retry-After holds both
        running.subscribe(tenant_id, {"type": "webhook", "url": receiver.url + "/busy"})
    receiver.answer("/busy", (429, {"Retry-After": "120"}))
    running.intake.ingest(make_item("feed:1"))
    running.intake.ingest(make_item("feed:2"))
    running.start()
    wait_for(lambda: len(running.published) == 1, "the refused attempt to be recorded")
    served = ServedApp(create_app(running.context, {}))
    try:
        page = httpx.get(served.url + "/v1/deliveries", headers={"Authorization": f"Bearer {key}"}).json()
    finally:
        served.close()
    items = page["items"]
    assert len(items) == 4 and {d["status"] for d in items} == {"pending"}
    refused = [d for d in items if d["attempts"]]
    assert len(refused) == 1 and refused[0]["attempts"][0]["status_code"] == 429
    asked = datetime.fromisoformat(refused[0]["attempts"][0]["attempted_at"]) + timedelta(seconds=120)
    for delivery in items:  # not a time already past: the moment the endpoint allowed
        assert datetime.fromisoformat(delivery["next_attempt_at"]) == asked, delivery
    assert receiver.received == []
