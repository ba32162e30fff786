"""Kafka producer: acks=all, idempotent, retried, keyed by item id so an item keeps its partition."""

from __future__ import annotations

from typing import Any

from kafka import KafkaProducer
from kafka.producer.future import FutureRecordMetadata

from services.pipeline.events import CloudEvent, encode
from services.pipeline.metrics import PRODUCED_MESSAGES
from services.pipeline.settings import CommonSettings
from services.pipeline.topics import Topic


def make_producer(settings: CommonSettings, *, client_id: str, **overrides: Any) -> KafkaProducer:
    """A producer tuned as measured in docs: acks=all, lz4, linger 5 ms, 64 KiB batches."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": f"{settings.kafka_client_id}-{client_id}",
        "acks": "all",
        "retries": 5,
        "linger_ms": 5,
        "batch_size": 65536,
        "compression_type": "lz4",
        "max_block_ms": 10_000,
        "delivery_timeout_ms": 30_000,
        "request_timeout_ms": 10_000,
    }
    config.update(overrides)
    return KafkaProducer(**config)


def event_headers(event: CloudEvent, extra: dict[str, str] | None = None) -> list[tuple[str, bytes]]:
    """Kafka headers for an event: its type, id, subject and trace context (plus any extra)."""
    headers = {"ce_type": event.type, "ce_id": event.id}
    if event.subject:
        headers["item_id"] = event.subject
    if event.traceparent:
        headers["traceparent"] = event.traceparent
    headers.update(extra or {})
    return [(k, v.encode()) for k, v in headers.items()]


def send_event(
    producer: KafkaProducer,
    topic: Topic | str,
    key: str,
    event: CloudEvent,
    *,
    headers: dict[str, str] | None = None,
) -> FutureRecordMetadata:
    """Send an event keyed by ``key``; the returned future resolves when the broker acknowledged it."""
    name = topic.name if isinstance(topic, Topic) else topic
    future = producer.send(name, key=key.encode(), value=encode(event), headers=event_headers(event, headers))
    future.add_callback(lambda _metadata: PRODUCED_MESSAGES.labels(topic=name).inc())
    return future
