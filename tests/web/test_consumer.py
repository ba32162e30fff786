"""The web service's read model fed from the real topics (embedded broker): classified items and delivery
attempts recorded by its own consumer groups, and searchable."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.cli.database import upgrade
from services.pipeline.broker import EmbeddedBroker
from services.pipeline.db import make_engine
from services.pipeline.events import DeliveryAttempt, wrap
from services.pipeline.kafka import make_producer, send_event
from services.pipeline.topics import DELIVERIES, ITEMS_CLASSIFIED
from services.web.inbox import InboxFilters, inbox_page
from services.web.main import build_service
from services.web.models import DeliveryView
from services.web.settings import WebSettings
from tests.web.conftest import CHINESE, FRENCH


def test_items_and_deliveries_flow_into_the_read_model(broker: EmbeddedBroker, sqlite_url: str) -> None:
    upgrade(sqlite_url)
    settings = WebSettings(
        kafka_bootstrap_servers=broker.bootstrap,
        database_url=sqlite_url,
        web_consumer_group=f"web-test-{uuid.uuid4().hex[:8]}",
        kafka_session_timeout_ms=3000,
        kafka_heartbeat_interval_ms=1000,
    )
    suffix = uuid.uuid4().hex[:8]
    french = FRENCH.model_copy(update={"item": FRENCH.item.model_copy(update={"item_id": f"fr-{suffix}"})})
    chinese = CHINESE.model_copy(update={"item": CHINESE.item.model_copy(update={"item_id": f"zh-{suffix}"})})
    attempt = DeliveryAttempt(
        delivery_id=f"dl-{suffix}", item_id=f"zh-{suffix}", subscription_id="sub-1", tenant_id="tn-1",
        channel="webhook", attempt=1, outcome="delivered", status_code=204, attempted_at=datetime.now(UTC),
    )  # fmt: skip
    producer = make_producer(settings, client_id="web-test")
    for item in (french, chinese):
        event = wrap(item, source="/test", subject=item.item.item_id)
        send_event(producer, ITEMS_CLASSIFIED, item.item.item_id, event).get(10)
    send_event(producer, DELIVERIES, attempt.item_id, wrap(attempt, source="/test", subject=attempt.item_id)).get(10)
    producer.close()

    service = build_service(settings)
    threads = [threading.Thread(target=worker.run) for worker in service.workers]
    for thread in threads:
        thread.start()
    engine = make_engine(sqlite_url)

    def recorded() -> bool:
        with Session(engine) as session:
            found = inbox_page(session, tenant_id="tn-1", filters=InboxFilters(q="罚款"))
            delivered = session.scalar(select(DeliveryView).where(DeliveryView.delivery_id == f"dl-{suffix}"))
            return any(i.item_id == f"zh-{suffix}" for i in found.items) and delivered is not None

    try:
        deadline = time.monotonic() + 60
        while not recorded() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert recorded()
        with Session(engine) as session:
            page = inbox_page(session, tenant_id="tn-1", filters=InboxFilters(q="amende"))
            assert f"fr-{suffix}" in [i.item_id for i in page.items]
            # Narrowed to this test's item: the session's broker holds earlier tests' items, which can fill a page.
            assert f"zh-{suffix}" in inbox_page(session, tenant_id="tn-1", filters=InboxFilters(q="罚款")).matched
    finally:
        for worker in service.workers:
            worker.stop()
        for thread in threads:
            thread.join(20)
        for close in service.on_shutdown:
            close()
        engine.dispose()
