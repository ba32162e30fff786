"""Event envelope and payloads: CloudEvents structured mode, round trips, clear errors on bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from services.pipeline.events import (
    ActionTag,
    ActionType,
    ClassifiedItem,
    InvalidEvent,
    RawItem,
    Tags,
    decode,
    encode,
    wrap,
)


def _raw() -> RawItem:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    return RawItem(
        item_id="feed-1:guid-1",
        feed_id="feed-1",
        feed_url="https://example.org/rss",
        title="T",
        published_at=now,
        first_seen_at=now,
    )


def test_wrap_produces_a_structured_cloudevent() -> None:
    event = wrap(
        _raw(),
        source="/regalerts/ingest",
        subject="feed-1:guid-1",
        traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
    )
    document = json.loads(encode(event))
    assert document["specversion"] == "1.0"
    assert document["type"] == "org.regalerts.item.raw.v1"
    assert document["datacontenttype"] == "application/json"
    assert document["subject"] == "feed-1:guid-1"
    assert document["data"]["schema_version"] == 1
    assert {"id", "source", "time"} <= set(document)


def test_decode_round_trips_a_classified_item() -> None:
    tags = Tags(
        language="fr",
        actions=[ActionTag(type=ActionType.SUMMONS, confidence=0.9, primary=True)],
        classifier_version="test",
    )
    item = ClassifiedItem(item=_raw(), tags=tags, classified_at=datetime.now(UTC))
    event, payload = decode(encode(wrap(item, source="/t", subject="x")))
    assert isinstance(payload, ClassifiedItem)
    assert payload == item
    assert event.type == "org.regalerts.item.classified.v1"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "empty"),
        (b"{not json", "Invalid JSON"),
        (b'{"specversion": "1.0", "source": "/x", "type": "org.example.unknown", "data": {}}', "unknown event type"),
        (
            b'{"specversion": "1.0", "source": "/x", "type": "org.regalerts.item.raw.v1", "data": {"title": 1}}',
            "item_id",
        ),
    ],
)
def test_decode_rejects_bad_messages_with_a_clear_error(value: bytes | None, message: str) -> None:
    with pytest.raises(InvalidEvent, match=message):
        decode(value)


def test_action_taxonomy_has_the_seventeen_types() -> None:
    assert len(ActionType) == 17
    assert {"summons", "security_assessment", "licence_revocation", "final_rule"} <= {a.value for a in ActionType}
