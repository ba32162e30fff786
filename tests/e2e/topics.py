"""Read back the headers of what the services published about one item (all partitions, no consumer group)."""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition


def headers_of(bootstrap: str, topic: str, item_id: str, *, timeout: float = 20.0) -> list[dict[str, str]]:
    """The headers of every record of ``topic`` about ``item_id`` (waits until at least one is found)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        consumer.seek_to_beginning()
        found: list[dict[str, str]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers or []}
                    if headers.get("item_id") == item_id:
                        found.append(headers)
            if found and not batch:
                break
        return found
    finally:
        consumer.close()
