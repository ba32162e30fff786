"""The notify process (a subprocess on the embedded broker) killed mid-retry and restarted: all alerts, once."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path

from kafka import KafkaConsumer
from sqlalchemy import select

from services.cli.supervisor import Child
from services.notify.main import EVENT_SOURCE
from services.notify.models import Delivery
from services.pipeline.broker import EmbeddedBroker, free_port
from services.pipeline.db import Base, make_engine, make_session_factory
from services.pipeline.events import ClassifiedItem, wrap
from services.pipeline.kafka import make_producer, send_event
from services.pipeline.settings import CommonSettings
from services.pipeline.topics import DELIVERIES, ITEMS_CLASSIFIED
from tests.notify.conftest import Receiver, make_item, start_notify, wait_for

ITEMS = 6


def _publish(bootstrap: str, items: list[ClassifiedItem]) -> None:
    producer = make_producer(CommonSettings(kafka_bootstrap_servers=bootstrap), client_id="test-restart")
    try:
        for item in items:
            send_event(producer, ITEMS_CLASSIFIED, item.item.item_id, wrap(item, source="test", subject="x")).get(30)
    finally:
        producer.close()


def _published_attempts(bootstrap: str, subscription_id: str, want: int) -> list[dict[str, object]]:
    consumer = KafkaConsumer(
        DELIVERIES.name,
        bootstrap_servers=bootstrap,
        group_id=f"test-restart-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=3000,
        heartbeat_interval_ms=1000,
    )
    found: list[dict[str, object]] = []
    try:
        for _ in range(60):
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    event = json.loads(record.value)
                    if event["source"] == EVENT_SOURCE and event["data"]["subscription_id"] == subscription_id:
                        found.append(event["data"])
            if sum(a["outcome"] == "delivered" for a in found) >= want:
                break
    finally:
        consumer.close()
    return found


def test_killed_mid_retry_and_restarted_delivers_everything_once(
    broker: EmbeddedBroker, receiver: Receiver, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'notify.db'}"
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    suffix = uuid.uuid4().hex[:8]
    setup = start_notify(engine, start=False)
    sub_id, secret = setup.subscribe(
        setup.tenant(),
        {"type": "webhook", "url": receiver.url + "/crash"},
        filters={"companies": [f"crashco-{suffix}"]},
    )
    receiver.secrets["/crash"] = secret or ""
    receiver.answer("/crash", *([503] * 10_000))  # down until the test says otherwise
    env = {
        "REGALERTS_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "REGALERTS_DATABASE_URL": database_url,
        "REGALERTS_SSRF_ALLOW_CIDRS": "127.0.0.0/8",
        "REGALERTS_NOTIFY_CONSUMER_GROUP": f"notify-restart-{suffix}",
        "REGALERTS_KAFKA_SESSION_TIMEOUT_MS": "3000",
        "REGALERTS_KAFKA_HEARTBEAT_INTERVAL_MS": "1000",
        "REGALERTS_RETRY_SCHEDULE_S": json.dumps([0.2] * 40),
        "REGALERTS_DELIVERY_POLL_INTERVAL_S": "0.1",
        "REGALERTS_DELIVERY_LEASE_S": "2",
        "REGALERTS_DELIVERY_TIMEOUT_S": "1",
        "REGALERTS_SMTP_TIMEOUT_S": "1",
        "REGALERTS_BREAKER_COOLDOWN_S": "0.3",
        "REGALERTS_UNSUBSCRIBE_SECRET": "restart-test",
    }
    port = free_port()
    child = Child("notify", port, {**env, "REGALERTS_HTTP_PORT": str(port)}, tmp_path / "notify.log")
    items = [make_item(f"crash:{suffix}:{n}", companies=[(f"crashco-{suffix}", "Crashco", 0.9)]) for n in range(ITEMS)]
    sessions = make_session_factory(engine)

    def deliveries() -> list[Delivery]:
        with sessions() as session:
            return list(session.scalars(select(Delivery).where(Delivery.subscription_id == sub_id)))

    child.start()
    try:
        child.wait_ready(timeout=90)
        _publish(broker.bootstrap, items + items[:2])  # with duplicates, as a broker may redeliver
        wait_for(
            lambda: len(deliveries()) == ITEMS and all(d.attempts >= 2 for d in deliveries()),
            "every alert to be retrying",
            timeout=60,
        )
        assert child.process is not None
        child.process.kill()  # no shutdown: leases and the retry schedule stay in the store
        child.process.wait(10)
        assert receiver.on("/crash") == [] and {d.status for d in deliveries()} == {"pending"}
        receiver.answers["/crash"] = []  # the endpoint recovers
        _publish(broker.bootstrap, items[2:4])  # and the broker redelivers some items again
        child.start()
        child.wait_ready(timeout=90)
        wait_for(lambda: {d.status for d in deliveries()} == {"delivered"}, "every delivery after the restart", 60)
        attempts = _published_attempts(broker.bootstrap, sub_id, ITEMS)
    finally:
        child.stop(timeout=20)
        engine.dispose()
    ids = Counter(r.headers["webhook-id"] for r in receiver.on("/crash"))
    assert len(ids) == ITEMS and set(ids.values()) == {1}, ids
    assert receiver.refused == 0
    delivered = Counter(str(a["delivery_id"]) for a in attempts if a["outcome"] == "delivered")
    assert set(delivered) == set(ids) and set(delivered.values()) == {1}
    assert any(a["outcome"] == "retry_scheduled" and a["status_code"] == 503 for a in attempts)
