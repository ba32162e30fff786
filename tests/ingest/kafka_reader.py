"""Read back what ingest published on the raw topic (all partitions, from the start, no consumer group)."""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

from services.pipeline.events import CloudEvent, RawItem, decode
from services.pipeline.topics import ITEMS_RAW


def read_raw(
    bootstrap: str, *, feed_id: str, expected: int, timeout: float = 20.0, settle: float = 1.0
) -> list[tuple[CloudEvent, RawItem, bytes | None]]:
    """Every raw event of ``feed_id``: waits for ``expected`` of them, then ``settle`` more seconds for extras."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    try:
        partitions = consumer.partitions_for_topic(ITEMS_RAW.name) or set()
        consumer.assign([TopicPartition(ITEMS_RAW.name, p) for p in partitions])
        consumer.seek_to_beginning()
        found: list[tuple[CloudEvent, RawItem, bytes | None]] = []
        deadline = time.monotonic() + timeout
        settled_at: float | None = None
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                for record in records:
                    event, payload = decode(record.value)
                    assert isinstance(payload, RawItem)
                    if payload.feed_id == feed_id:
                        found.append((event, payload, record.key))
            if len(found) >= expected:
                settled_at = settled_at or time.monotonic()
                if time.monotonic() - settled_at >= settle:
                    break
        return found
    finally:
        consumer.close()
