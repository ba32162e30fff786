"""The at-least-once consumer loop shared by classify and notify.

Poll a batch, run the handler on each message (or a batch handler on each partition's messages at once,
falling back to one message at a time should it fail), flush the producer (so whatever the handler produced is
acknowledged), then commit the *next* offset of each partition. A message that can never succeed goes to
``<topic>.dlq`` with its origin and error in headers; too many invalid messages in a row stop the loop
(a bad deploy should not drain a topic into its DLQ). SIGTERM/SIGINT call ``stop()``: the loop finishes the
message in hand, commits what was processed and closes.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata
from pydantic import BaseModel

from services.pipeline.events import CloudEvent, InvalidEvent, decode
from services.pipeline.logging import bind
from services.pipeline.messages import InvalidMessage, Message
from services.pipeline.metrics import CONSUMER_LAG, DLQ_MESSAGES, ITEMS_FAILED, ITEMS_IN, PROCESSING_DURATION
from services.pipeline.settings import CommonSettings
from services.pipeline.topics import Topic
from services.pipeline.tracing import trace_id_of

log = logging.getLogger(__name__)

Handler = Callable[[Message], None]
BatchHandler = Callable[[list[Message]], None]
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0)


class TooManyInvalidMessages(RuntimeError):
    """The consecutive-invalid limit was reached: the consumer stops rather than drain the topic."""


class ConsumerLoop:
    """Consume ``topic`` in ``group_id``, calling ``handler`` for each message, at least once."""

    def __init__(
        self,
        *,
        settings: CommonSettings,
        topic: Topic,
        group_id: str,
        stage: str,
        handler: Handler,
        producer: KafkaProducer,
        retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S,
        batch_handler: BatchHandler | None = None,
    ) -> None:
        """``batch_handler``, when given, handles each partition's polled messages together; it must do what
        ``handler`` does to each in turn (a batch that fails is handled again one message at a time)."""
        self.name = f"consumer:{topic.name}"
        self.topic = topic
        self.group_id = group_id
        self.stage = stage
        self._settings = settings
        self._handler = handler
        self._batch_handler = batch_handler
        self._producer = producer
        self._retry_delays = retry_delays_s
        self._stopping = threading.Event()
        self._consecutive_invalid = 0
        self._consumer: KafkaConsumer | None = None
        self._lag_partitions: set[TopicPartition] = set()
        # Series exist at zero from the start, so increase() sees the first dead letter too.
        DLQ_MESSAGES.labels(topic=topic.name)
        for reason in ("invalid", "handler_error"):
            ITEMS_FAILED.labels(stage=stage, reason=reason)

    def _make_consumer(self) -> KafkaConsumer:
        s = self._settings
        return KafkaConsumer(
            self.topic.name,
            bootstrap_servers=s.bootstrap_servers,
            group_id=self.group_id,
            client_id=f"{s.kafka_client_id}-{self.stage}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=s.kafka_session_timeout_ms,
            heartbeat_interval_ms=s.kafka_heartbeat_interval_ms,
            max_poll_records=s.kafka_max_poll_records,
        )

    def stop(self) -> None:
        """Ask the loop to finish the message in hand, commit and return."""
        self._stopping.set()

    def is_alive(self) -> bool:
        """True while the loop has a consumer and has not been asked to stop."""
        return self._consumer is not None and not self._stopping.is_set()

    def run(self) -> None:
        """Consume until stop() is called."""
        self._consumer = consumer = self._make_consumer()
        log.info("Consumer started", extra={"topic": self.topic.name, "group": self.group_id})
        try:
            while not self._stopping.is_set():
                batch = consumer.poll(timeout_ms=500)
                processed: dict[TopicPartition, OffsetAndMetadata] = {}
                for tp, records in batch.items():
                    if self._process_batch(records):
                        processed[tp] = OffsetAndMetadata(records[-1].offset + 1, None, -1)
                        continue
                    for record in records:
                        if self._stopping.is_set() or not self._process(record):
                            break
                        processed[tp] = OffsetAndMetadata(record.offset + 1, None, -1)
                if processed:
                    self._producer.flush()
                    consumer.commit(processed)
                self._export_lag(consumer)
        finally:
            consumer.close()
            self._consumer = None
            log.info("Consumer stopped", extra={"topic": self.topic.name, "group": self.group_id})

    def _process_batch(self, records: list[Any]) -> bool:
        """Handle a partition's records at once with the batch handler (a record that is no valid event goes to
        the DLQ); False when there is none, the handler failed (each record is then handled alone, with
        retries and the DLQ) or a stop came first."""
        if self._batch_handler is None or self._stopping.is_set():
            return False
        messages, invalid = [], []
        for record in records:
            try:
                messages.append(_message(record, *decode(record.value)))
            except InvalidEvent:
                invalid.append(record)
        started = time.perf_counter()
        try:
            if messages:
                self._batch_handler(messages)
        except Exception as exc:
            log.warning("Batch failed, handling its messages one at a time", extra={"error": repr(exc)})
            return False
        share = (time.perf_counter() - started) / max(len(messages), 1)
        ITEMS_IN.labels(stage=self.stage).inc(len(messages))
        for _ in messages:
            PROCESSING_DURATION.labels(stage=self.stage).observe(share)
        if messages:
            self._consecutive_invalid = 0
        for record in invalid:
            self._process(record)  # dead-letters it
        return True

    def _process(self, record: Any) -> bool:
        """Handle one record; False when a stop interrupted it (it stays uncommitted, to be redelivered)."""
        headers = {k: v.decode(errors="replace") for k, v in (record.headers or [])}
        ITEMS_IN.labels(stage=self.stage).inc()
        with bind(item_id=headers.get("item_id"), trace_id=trace_id_of(headers.get("traceparent"))):
            started = time.perf_counter()
            try:
                message = _message(record, *decode(record.value))
                if not self._handle_with_retries(message):
                    return False
                self._consecutive_invalid = 0
            except (InvalidEvent, InvalidMessage) as exc:
                self._dead_letter(record, headers, "invalid", exc)
            except _GaveUp as exc:
                self._dead_letter(record, headers, "handler_error", exc.__cause__ or exc)
            finally:
                PROCESSING_DURATION.labels(stage=self.stage).observe(time.perf_counter() - started)
        return True

    def _handle_with_retries(self, message: Message) -> bool:
        """Run the handler, retrying transient failures; False when a stop cut the retries short."""
        for attempt, delay in enumerate((*self._retry_delays, None), start=1):
            try:
                self._handler(message)
                return True
            except InvalidMessage:
                raise
            except Exception as exc:
                if delay is None:
                    raise _GaveUp(str(exc)) from exc
                log.warning("Handler failed, retrying", extra={"attempt": attempt, "error": repr(exc)})
                if self._stopping.wait(delay):
                    return False
        return False

    def _dead_letter(self, record: Any, headers: dict[str, str], reason: str, error: BaseException) -> None:
        self._consecutive_invalid += 1
        ITEMS_FAILED.labels(stage=self.stage, reason=reason).inc()
        DLQ_MESSAGES.labels(topic=self.topic.name).inc()
        log.error(
            "Message sent to dead-letter topic",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "reason": reason,
                "error": str(error)[:500],
            },
        )
        dlq_headers = [(k, v.encode()) for k, v in headers.items()] + [
            ("dlq_error", str(error)[:2000].encode()),
            ("dlq_reason", reason.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_consumer_group", self.group_id.encode()),
        ]
        self._producer.send(self.topic.dlq, key=record.key, value=record.value, headers=dlq_headers)
        if self._consecutive_invalid >= self._settings.kafka_max_consecutive_invalid:
            self._stopping.set()
            raise TooManyInvalidMessages(
                f"{self._consecutive_invalid} consecutive messages of {self.topic.name} were dead-lettered"
            )

    def _export_lag(self, consumer: KafkaConsumer) -> None:
        assigned = set(consumer.assignment())
        for tp in self._lag_partitions - assigned:  # revoked: its lag is another member's to report
            with contextlib.suppress(KeyError):  # never exported (no highwater seen yet)
                CONSUMER_LAG.remove(self.group_id, tp.topic, str(tp.partition))
        self._lag_partitions = assigned
        for tp in assigned:
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            position = consumer.position(tp, timeout_ms=0)
            if position is None:
                continue
            CONSUMER_LAG.labels(group=self.group_id, topic=tp.topic, partition=str(tp.partition)).set(
                max(0, highwater - position)
            )


def _message(record: Any, event: CloudEvent, payload: BaseModel) -> Message:
    """A consumed record with its decoded envelope and payload."""
    headers = {k: v.decode(errors="replace") for k, v in (record.headers or [])}
    key = record.key.decode(errors="replace") if record.key else None
    return Message(record.topic, record.partition, record.offset, key, headers, event, payload)


class _GaveUp(Exception):
    """The handler kept failing on one message."""
