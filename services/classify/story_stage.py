"""The story stage's Kafka handler: tagged item in, classified item with its story out, keyed by item id.

It consumes ``regalerts.items.tagged.v1``, a single-partition topic, in its own consumer group: however
many classify replicas run, one of them holds the partition and sees every report in order, so two reports
of one story can never be grouped at the same moment by two replicas (docs/architecture.md, Stories). Each
poll's messages are grouped together (StoryIndex.assign_all), as one after another would be.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from kafka import KafkaProducer

from services.classify.stories import Report, StoryIndex, report_for
from services.classify.stories import Story as StoryRecord
from services.pipeline.events import ClassifiedItem, Story, StoryReport, TaggedItem, wrap
from services.pipeline.kafka import InvalidMessage, Message, send_event
from services.pipeline.metrics import ITEMS_OUT
from services.pipeline.stages import observe, stamped
from services.pipeline.topics import ITEMS_CLASSIFIED
from services.pipeline.tracing import child_traceparent


def _report_event(report: Report) -> StoryReport:
    return StoryReport(
        item_id=report.item_id, feed=report.feed, language=report.lang, link=report.link, title=report.title,
        published_at=report.published,
    )  # fmt: skip


def story_event(story: StoryRecord) -> Story:
    """A story as the classified event carries it: its first report, then every report by time."""
    reports = sorted(story.reports, key=lambda r: (r.published, r.item_id))
    return Story(id=story.story_id, first=_report_event(story.first), reports=[_report_event(r) for r in reports])


def tagged_report(tagged: TaggedItem) -> Report:
    """The story features of a tagged item."""
    item = tagged.item
    return report_for(
        item_id=item.item_id, published=item.published_at, feed=item.feed_title or item.feed_id, link=item.link,
        title=item.title, summary=item.summary, tags=tagged.tags,
    )  # fmt: skip


def make_story_handler(producer: KafkaProducer, index: StoryIndex) -> Callable[[list[Message]], None]:
    """A consumer-loop batch handler publishing each item with its story to ``regalerts.items.classified.v1``:
    a poll's items are grouped together (one candidate load, one save), in order, as one at a time would be.

    Idempotent: an item seen again keeps the story recorded for it, and notify deduplicates alerts."""

    def handle(messages: list[Message]) -> None:
        tagged = []
        for message in messages:
            if not isinstance(message.payload, TaggedItem):
                raise InvalidMessage(f"expected a tagged item, got {message.event.type}")
            tagged.append(message.payload)
        stories = index.assign_all([tagged_report(t) for t in tagged])
        for message, item, story in zip(messages, tagged, stories, strict=True):
            classified = ClassifiedItem(
                item=item.item, tags=item.tags, classified_at=item.classified_at, story=story_event(story)
            )
            event = wrap(
                classified, source="/regalerts/classify/stories", subject=classified.item.item_id,
                traceparent=child_traceparent(message.event.traceparent),
            )  # fmt: skip
            grouped = datetime.now(UTC)
            send_event(
                producer,
                ITEMS_CLASSIFIED,
                classified.item.item_id,
                event,
                headers=stamped(message.headers, grouped=grouped),
            )
            observe("grouped", first_seen=classified.item.first_seen_at, at=grouped)
            ITEMS_OUT.labels(stage="stories").inc()

    return handle
