"""The consumer loop against the embedded broker: at-least-once, DLQ with origin headers, graceful stop."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from services.pipeline.broker import EmbeddedBroker
from services.pipeline.events import RawItem, encode, wrap
from services.pipeline.kafka import ConsumerLoop, InvalidMessage, Message, make_producer, send_event
from services.pipeline.settings import CommonSettings
from services.pipeline.topics import Topic


def _settings(broker: EmbeddedBroker) -> CommonSettings:
    return CommonSettings(
        kafka_bootstrap_servers=broker.bootstrap,
        kafka_session_timeout_ms=3000,
        kafka_heartbeat_interval_ms=1000,
        kafka_max_consecutive_invalid=5,
    )


def _fresh_topic() -> Topic:
    return Topic(
        name=f"test.{uuid.uuid4().hex[:8]}",
        description="test",
        producers=(),
        consumers=("t",),
        event_type=None,
        partitions=3,
    )


def _item(n: int) -> RawItem:
    now = datetime.now(UTC)
    return RawItem(
        item_id=f"item-{n}", feed_id="f", feed_url="http://x/", title=f"t{n}", published_at=now, first_seen_at=now
    )


def _produce(producer: KafkaProducer, topic: Topic, count: int) -> None:
    for n in range(count):
        send_event(producer, topic, f"item-{n}", wrap(_item(n), source="/test", subject=f"item-{n}")).get(10)


def _run_until(loop: ConsumerLoop, done: Callable[[], bool], timeout: float = 30) -> None:
    thread = threading.Thread(target=loop.run)
    thread.start()
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    loop.stop()
    thread.join(timeout=15)
    assert not thread.is_alive()


def _dlq_records(broker: EmbeddedBroker, topic: Topic, expected: int) -> list:  # type: ignore[type-arg]
    consumer = KafkaConsumer(
        topic.dlq, bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=5000
    )
    records = []
    for record in consumer:
        records.append(record)
        if len(records) >= expected:
            break
    consumer.close()
    return records


def test_every_message_handled_then_committed(broker: EmbeddedBroker) -> None:
    settings, topic = _settings(broker), _fresh_topic()
    producer = make_producer(settings, client_id="test")
    _produce(producer, topic, 20)
    seen: list[str] = []

    def handler(message: Message) -> None:
        assert isinstance(message.payload, RawItem)
        seen.append(message.payload.item_id)

    group = f"g-{uuid.uuid4().hex[:6]}"
    _run_until(
        ConsumerLoop(settings=settings, topic=topic, group_id=group, stage="test", handler=handler, producer=producer),
        lambda: len(seen) >= 20,
    )
    assert sorted(seen) == sorted(f"item-{n}" for n in range(20))

    again: list[str] = []
    loop = ConsumerLoop(
        settings=settings,
        topic=topic,
        group_id=group,
        stage="test",
        handler=lambda m: again.append(m.key or ""),
        producer=producer,
    )
    _produce(producer, topic, 1)  # one more record so the second run has something to read
    _run_until(loop, lambda: len(again) >= 1)
    assert again == ["item-0"], "committed offsets were not honoured: old messages came back"
    producer.close()


def test_poison_and_invalid_messages_go_to_the_dlq_with_origin(broker: EmbeddedBroker) -> None:
    settings, topic = _settings(broker), _fresh_topic()
    producer = make_producer(settings, client_id="test")
    producer.send(topic.name, key=b"bad", value=b"{not json").get(10)
    _produce(producer, topic, 3)
    handled: list[str] = []
    calls: dict[str, int] = {}

    def handler(message: Message) -> None:
        key = message.key or ""
        calls[key] = calls.get(key, 0) + 1
        if key == "item-1":
            raise InvalidMessage("item-1 can never be processed")
        if key == "item-2" and calls[key] < 2:
            raise ConnectionError("transient")
        handled.append(key)

    loop = ConsumerLoop(
        settings=settings,
        topic=topic,
        group_id="g-dlq",
        stage="test",
        handler=handler,
        producer=producer,
        retry_delays_s=(0.01, 0.01),
    )
    _run_until(loop, lambda: len(handled) >= 2)
    assert sorted(handled) == ["item-0", "item-2"]
    assert calls["item-2"] == 2, "a transient failure is retried, not dead-lettered"

    records = _dlq_records(broker, topic, 2)
    by_key = {r.key: dict(r.headers) for r in records}
    assert set(by_key) == {b"bad", b"item-1"}
    assert by_key[b"item-1"]["dlq_error"] == b"item-1 can never be processed"
    assert by_key[b"item-1"]["dlq_original_topic"] == topic.name.encode()
    assert by_key[b"bad"]["dlq_reason"] == b"invalid"
    assert {"dlq_original_partition", "dlq_original_offset"} <= set(by_key[b"bad"])
    producer.close()


def test_consecutive_invalid_limit_stops_the_loop(broker: EmbeddedBroker) -> None:
    settings, topic = _settings(broker), _fresh_topic()
    producer = make_producer(settings, client_id="test")
    for n in range(8):
        producer.send(topic.name, key=str(n).encode(), value=b"garbage", partition=0).get(10)
    loop = ConsumerLoop(
        settings=settings, topic=topic, group_id="g-limit", stage="test", handler=lambda m: None, producer=producer
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            loop.run()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors and "5 consecutive messages" in str(errors[0])
    producer.close()


def _produce_to_one_partition(producer: KafkaProducer, topic: Topic, keys: list[str]) -> None:
    for key in keys:
        event = encode(wrap(_item(int(key.split("-")[1])), source="/test", subject=key))
        producer.send(topic.name, key=key.encode(), value=event, partition=0).get(10)


def _batch_loop(settings: CommonSettings, topic: Topic, producer: KafkaProducer, **handlers: Any) -> ConsumerLoop:
    return ConsumerLoop(
        settings=settings, topic=topic, group_id=f"g-{uuid.uuid4().hex[:6]}", stage="test", producer=producer,
        retry_delays_s=(0.01,), **handlers,
    )  # fmt: skip


def test_a_batch_handler_takes_a_polls_messages_together_and_invalid_ones_go_to_the_dlq(
    broker: EmbeddedBroker,
) -> None:
    settings, topic = _settings(broker), _fresh_topic()
    producer = make_producer(settings, client_id="test")
    _produce_to_one_partition(producer, topic, [f"item-{n}" for n in range(5)])
    producer.send(topic.name, key=b"item-5", value=b"{not json", partition=0).get(10)
    _produce_to_one_partition(producer, topic, [f"item-{n}" for n in range(6, 10)])
    batches: list[list[str]] = []
    alone: list[str] = []
    loop = _batch_loop(
        settings, topic, producer, handler=lambda m: alone.append(m.key or ""),
        batch_handler=lambda messages: batches.append([m.key or "" for m in messages]),
    )  # fmt: skip
    _run_until(loop, lambda: sum(map(len, batches)) >= 9)
    assert [k for b in batches for k in b] == [f"item-{n}" for n in range(10) if n != 5]
    assert max(map(len, batches)) > 1 and alone == []
    assert [r.key for r in _dlq_records(broker, topic, 1)] == [b"item-5"]
    producer.close()


def test_a_failed_batch_is_handled_again_one_message_at_a_time(broker: EmbeddedBroker) -> None:
    settings, topic = _settings(broker), _fresh_topic()
    producer = make_producer(settings, client_id="test")
    _produce_to_one_partition(producer, topic, [f"item-{n}" for n in range(6)])
    alone: list[str] = []

    def handle_batch(messages: list[Message]) -> None:
        if "item-3" in {m.key for m in messages}:
            raise ConnectionError("one message spoils the batch")
        alone.extend(m.key or "" for m in messages)

    def handle(message: Message) -> None:
        if message.key == "item-3":
            raise InvalidMessage("item-3 can never be processed")
        alone.append(message.key or "")

    _run_until(
        _batch_loop(settings, topic, producer, handler=handle, batch_handler=handle_batch), lambda: len(alone) >= 5
    )
    assert sorted(alone) == [f"item-{n}" for n in range(6) if n != 3]
    assert [r.key for r in _dlq_records(broker, topic, 1)] == [b"item-3"]
    producer.close()
