"""Every Kafka topic RegAlerts uses, declared once: name, partitions, producers, consumers, payload."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """A topic and what flows on it."""

    name: str
    description: str
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    event_type: str | None
    partitions: int = 6

    @property
    def dlq(self) -> str:
        """Name of this topic's dead-letter topic."""
        return f"{self.name}.dlq"


ITEMS_RAW = Topic(
    name="regalerts.items.raw.v1",
    description="Normalised feed items, new or updated; key = item id.",
    producers=("ingest",),
    consumers=("classify",),
    event_type="org.regalerts.item.raw.v1",
)
ITEMS_TAGGED = Topic(
    name="regalerts.items.tagged.v1",
    description=(
        "Items with their tags, on their way to the story stage; one partition, so that one consumer sees "
        "every candidate of a story (docs/architecture.md, Stories); key = item id."
    ),
    producers=("classify",),
    consumers=("classify-stories",),
    event_type="org.regalerts.item.tagged.v1",
    partitions=1,
)
ITEMS_CLASSIFIED = Topic(
    name="regalerts.items.classified.v1",
    description="Items with their tags and story (companies, regulators, actions, amount, ...); key = item id.",
    producers=("classify-stories",),
    consumers=("notify", "web"),
    event_type="org.regalerts.item.classified.v1",
)
DELIVERIES = Topic(
    name="regalerts.deliveries.v1",
    description="One record per delivery attempt (webhook, Slack, email); key = item id.",
    producers=("notify",),
    consumers=("web",),
    event_type="org.regalerts.delivery.attempt.v1",
)

TOPICS: tuple[Topic, ...] = (ITEMS_RAW, ITEMS_TAGGED, ITEMS_CLASSIFIED, DELIVERIES)


def all_topic_names() -> list[str]:
    """Topics and their dead-letter topics, in creation order."""
    names: list[str] = []
    for topic in TOPICS:
        names.append(topic.name)
        if topic.consumers:
            names.append(topic.dlq)
    return names
