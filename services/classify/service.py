"""The classify stage's Kafka handler: raw item in, tagged item out (to the story stage), keyed by item id."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from kafka import KafkaProducer

from services.pipeline.events import RawItem, TaggedItem, Tags, wrap
from services.pipeline.kafka import InvalidMessage, Message, send_event
from services.pipeline.metrics import ITEMS_OUT
from services.pipeline.stages import observe, stamped
from services.pipeline.topics import ITEMS_TAGGED
from services.pipeline.tracing import child_traceparent

log = logging.getLogger(__name__)

ClassifyFn = Callable[[RawItem], Tags]


def classify_item(item: RawItem, classify: ClassifyFn) -> TaggedItem:
    """Tag one raw item (pure apart from the classifier function it is given)."""
    return TaggedItem(item=item, tags=classify(item), classified_at=datetime.now(UTC))


def make_handler(producer: KafkaProducer, classify: ClassifyFn) -> Callable[[Message], None]:
    """A consumer-loop handler publishing each tagged item to ``regalerts.items.tagged.v1``.

    Idempotent by design: classifying the same raw item twice produces the same tags under the same key,
    and notify deduplicates alerts per (item, revision, subscription).
    """

    def handle(message: Message) -> None:
        if not isinstance(message.payload, RawItem):
            raise InvalidMessage(f"expected a raw item, got {message.event.type}")
        classified = classify_item(message.payload, classify)
        event = wrap(
            classified,
            source="/regalerts/classify",
            subject=classified.item.item_id,
            traceparent=child_traceparent(message.event.traceparent),
        )
        headers = stamped(message.headers, classified=classified.classified_at)
        send_event(producer, ITEMS_TAGGED, classified.item.item_id, event, headers=headers)
        observe("classified", first_seen=classified.item.first_seen_at, at=classified.classified_at)
        ITEMS_OUT.labels(stage="classify").inc()

    return handle
