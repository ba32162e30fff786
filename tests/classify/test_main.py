"""The classify service wired as ``regalerts classify`` runs it: raw item in on the broker, tagged, grouped
into its story, classified out."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

from kafka import KafkaConsumer

from services.classify.main import build_service
from services.classify.settings import ClassifySettings
from services.cli.database import upgrade
from services.pipeline.broker import EmbeddedBroker
from services.pipeline.events import ClassifiedItem, RawItem, decode, wrap
from services.pipeline.kafka import ConsumerLoop, make_producer, send_event
from services.pipeline.topics import ITEMS_CLASSIFIED, ITEMS_RAW


def test_a_raw_item_comes_out_classified(broker: EmbeddedBroker, sqlite_url: str) -> None:
    settings = ClassifySettings(
        kafka_bootstrap_servers=broker.bootstrap, database_url=sqlite_url, http_port=0,
        classify_consumer_group=f"classify-{uuid.uuid4().hex[:8]}", kafka_session_timeout_ms=3000,
        kafka_heartbeat_interval_ms=1000, stories_consumer_group=f"stories-{uuid.uuid4().hex[:8]}",
    )  # fmt: skip
    upgrade(sqlite_url)
    service = build_service(settings)
    item_id = f"test-classify:{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    item = RawItem(
        item_id=item_id, feed_id="f", feed_url="https://example.org/feed", title="WEKO büsst Quickmail",
        summary="Die Wettbewerbskommission (WEKO) büsst die Quickmail AG.", published_at=now, first_seen_at=now,
    )  # fmt: skip
    loops = service.workers
    assert all(isinstance(loop, ConsumerLoop) for loop in loops) and len(loops) == 2
    sender = make_producer(settings, client_id="test-classify")
    send_event(sender, ITEMS_RAW, item_id, wrap(item, source="/test", subject=item_id)).get(10)
    sender.close()
    consumer = KafkaConsumer(
        ITEMS_CLASSIFIED.name, bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest",
        group_id=f"t-{uuid.uuid4().hex[:8]}", consumer_timeout_ms=1000,
    )  # fmt: skip
    threads = [threading.Thread(target=loop.run) for loop in loops]
    for thread in threads:
        thread.start()
    found: ClassifiedItem | None = None
    deadline = time.monotonic() + 60
    try:
        while found is None and time.monotonic() < deadline:
            for record in consumer:
                if record.key and record.key.decode() == item_id:
                    _event, payload = decode(record.value)
                    assert isinstance(payload, ClassifiedItem)
                    found = payload
                    break
    finally:
        for loop, thread in zip(loops, threads, strict=True):
            loop.stop()
            thread.join(15)
        consumer.close()
        for close in service.on_shutdown:
            close()
    assert found is not None, "no classified item came out"
    assert found.tags.regulators[0].jurisdiction == "CH" and [a.type.value for a in found.tags.actions] == ["fine"]
    assert "Quickmail" in {c.name for c in found.tags.companies}
    assert found.story is not None and found.story.first.item_id == item_id
    assert [r.item_id for r in found.story.reports] == [item_id] and found.story.first.feed == "f"
