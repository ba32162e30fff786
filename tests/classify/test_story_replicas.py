"""Two classify replicas on one broker and one store: reports of one event, sent together and handled by
both replicas' classify loops at once, come out in one story; a near miss gets its own."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import datetime, timedelta

from kafka import KafkaConsumer

from services.classify.main import build_service
from services.classify.settings import ClassifySettings
from services.cli.database import upgrade
from services.pipeline.broker import EmbeddedBroker
from services.pipeline.events import ClassifiedItem, RawItem, decode, wrap
from services.pipeline.kafka import make_producer, send_event
from services.pipeline.runner import Service
from services.pipeline.topics import ITEMS_CLASSIFIED, ITEMS_RAW

REPORTS = [  # three feeds, two languages, minutes apart; then a near miss (same company, other regulator)
    ("Reuters", "Italy's antitrust authority fines Amazon 1.13 billion euros over logistics",
     "The Italian Competition Authority (AGCM) fined Amazon 1.128 billion euros for abusing its dominant position."),
    ("ANSA", "L'Antitrust multa Amazon per 1,128 miliardi di euro",
     "L'Autorità Garante della Concorrenza e del Mercato ha sanzionato Amazon per abuso di posizione dominante."),
    ("ANSA English", "Amazon to appeal Italian antitrust fine of 1.128 billion euros",
     "Amazon said it would appeal the AGCM's fine, calling it unjustified and disproportionate."),
    ("Reuters", "French privacy watchdog fines Amazon warehouse unit 32 million euros",
     "The CNIL fined Amazon France Logistique 32 million euros over its monitoring of warehouse employees."),
]  # fmt: skip


def _raw(run: str, n: int, start: datetime) -> RawItem:
    feed, title, summary = REPORTS[n]
    published = start + timedelta(minutes=3 * n)
    return RawItem(
        item_id=f"{run}:{n}", feed_id=f"feed-{feed}", feed_url="https://example.org/feed", feed_title=feed,
        title=title, summary=summary, published_at=published, first_seen_at=published, link=f"https://example.org/{n}",
    )  # fmt: skip


def _collect(bootstrap: str, run: str, count: int) -> dict[str, ClassifiedItem]:
    consumer = KafkaConsumer(
        ITEMS_CLASSIFIED.name, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        group_id=f"t-{uuid.uuid4().hex[:8]}", consumer_timeout_ms=1000,
    )  # fmt: skip
    found: dict[str, ClassifiedItem] = {}
    deadline = time.monotonic() + 120
    try:
        while len(found) < count and time.monotonic() < deadline:
            for record in consumer:
                _event, payload = decode(record.value)
                if isinstance(payload, ClassifiedItem) and payload.item.item_id.startswith(f"{run}:"):
                    found[payload.item.item_id] = payload
    finally:
        consumer.close()
    return found


def test_two_replicas_make_one_story_of_one_event(broker: EmbeddedBroker, postgres_url: str) -> None:
    run = uuid.uuid4().hex[:8]
    upgrade(postgres_url)
    settings = ClassifySettings(
        kafka_bootstrap_servers=broker.bootstrap, database_url=postgres_url, http_port=0,
        classify_consumer_group=f"classify-{run}", stories_consumer_group=f"stories-{run}",
        kafka_session_timeout_ms=3000, kafka_heartbeat_interval_ms=1000,
    )  # fmt: skip
    replicas: list[Service] = [build_service(settings), build_service(settings)]
    threads = [threading.Thread(target=w.run) for s in replicas for w in s.workers]
    for thread in threads:
        thread.start()
    try:
        time.sleep(8)  # both replicas joined both groups: the raw items are shared out between them
        sender = make_producer(settings, client_id="test-replicas")
        start = datetime.fromisoformat("2026-12-07T10:00:00+00:00")
        futures = [
            send_event(sender, ITEMS_RAW, f"{run}:{n}", wrap(_raw(run, n, start), source="/test", subject="x"))
            for n in range(len(REPORTS))
        ]
        for future in futures:
            future.get(10)
        sender.close()
        found = _collect(broker.bootstrap, run, len(REPORTS))
    finally:
        for service in replicas:
            for worker in service.workers:
                worker.stop()
        for thread in threads:
            thread.join(20)
        for service in replicas:
            for close in service.on_shutdown:
                close()
    assert len(found) == len(REPORTS), json.dumps(sorted(found))
    stories = {item_id: item.story for item_id, item in found.items()}
    assert all(story is not None for story in stories.values())
    event = {stories[f"{run}:{n}"].id for n in range(3)}  # type: ignore[union-attr]
    assert len(event) == 1 and stories[f"{run}:3"].id not in event  # type: ignore[union-attr]
    # the report grouped last (in whatever order the replicas tagged them) sees the whole story so far
    last = max((stories[f"{run}:{n}"] for n in range(3)), key=lambda s: len(s.reports) if s else 0)
    assert last is not None and last.first.item_id == f"{run}:0" and last.first.feed == "Reuters"
    assert [(r.feed, r.language) for r in last.reports] == [("Reuters", "en"), ("ANSA", "it"), ("ANSA English", "en")]
