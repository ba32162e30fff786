"""Follow items through the topics: the stage headers of every classified event and delivery attempt."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition

from bench.pipeline_load.peers import LINK
from services.pipeline.stages import passed
from services.pipeline.topics import DELIVERIES, ITEMS_CLASSIFIED


@dataclass
class Tracker:
    """Reads both topics from the start in a thread until stopped."""

    bootstrap: str
    stages: dict[str, dict[str, float]] = field(default_factory=dict)  # item id -> stage -> Unix time
    seq_of: dict[str, int] = field(default_factory=dict)  # item id -> the bench's sequence number
    matched: list[tuple[str, float, float]] = field(default_factory=list)  # (item id, matched, delivered)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Start reading."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading (after the poll in progress)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False)
        partitions = [
            TopicPartition(topic, p)
            for topic in (ITEMS_CLASSIFIED.name, DELIVERIES.name)
            for p in consumer.partitions_for_topic(topic) or set()
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        try:
            while not self._stop.is_set():
                for records in consumer.poll(timeout_ms=300).values():
                    for record in records:
                        self._read(record.topic, {k: v.decode() for k, v in record.headers or []}, record.value)
        finally:
            consumer.close()

    def _read(self, topic: str, headers: dict[str, str], value: bytes) -> None:
        item_id = headers.get("item_id", "")
        times = {stage: when.timestamp() for stage, when in passed(headers).items()}
        if topic == ITEMS_CLASSIFIED.name:
            found = LINK.search(value)
            if found:
                self.seq_of[item_id] = int(found.group(1))
                self.stages[item_id] = times
        elif "delivered" in times and "matched" in times and json.loads(value)["data"]["outcome"] == "delivered":
            self.matched.append((item_id, times["matched"], times["delivered"]))
