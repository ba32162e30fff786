"""Prometheus metrics shared by the three services, each declared once here with what it counts.

Names follow Prometheus conventions: ``regalerts_`` prefix, units in the name, ``_total`` on counters,
bounded label sets (stage, topic, outcome, channel, reason, state) — never a feed, tenant or item id.
Service-specific metrics are declared in each service's own ``metrics.py``.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, Info

# Latency buckets from 5 ms to 30 min: pipeline stages are fast, end-to-end includes polling intervals.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)

BUILD_INFO = Info("regalerts_build", "Version of the running service.")

# Items entering a stage (consumed or fetched), per stage: ingest, classify, notify.
ITEMS_IN = Counter("regalerts_items_in_total", "Items received by a pipeline stage.", ["stage"])
# Items a stage produced downstream (published raw, published classified, alerts delivered).
ITEMS_OUT = Counter("regalerts_items_out_total", "Items emitted by a pipeline stage.", ["stage"])
# Items a stage could not process; reason is a short fixed word (invalid, handler_error, ...).
ITEMS_FAILED = Counter("regalerts_items_failed_total", "Items a pipeline stage failed to process.", ["stage", "reason"])
PROCESSING_DURATION = Histogram(
    "regalerts_processing_duration_seconds",
    "Time a stage spent processing one item.",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
# highwater - committed position, after each poll; Apache Kafka and the embedded broker agree on it.
CONSUMER_LAG = Gauge(
    "regalerts_consumer_lag_messages",
    "Messages not yet consumed by a consumer group, per partition.",
    ["group", "topic", "partition"],
)
DLQ_MESSAGES = Counter(
    "regalerts_dlq_messages_total", "Messages sent to a dead-letter topic, by source topic.", ["topic"]
)
PRODUCED_MESSAGES = Counter(
    "regalerts_kafka_produced_messages_total", "Messages acknowledged by the broker, by topic.", ["topic"]
)
# Observed by notify on each successful delivery: now - the item's first sight in ingest.
END_TO_END_LATENCY = Histogram(
    "regalerts_end_to_end_latency_seconds",
    "From an item's first sight in ingest to its successful delivery.",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
# Observed by each stage for each item: now - the item's first sight in ingest (services/pipeline/stages.py).
STAGE_LATENCY = Histogram(
    "regalerts_stage_latency_seconds",
    "From an item's first sight in ingest to a later stage: published, classified, grouped, matched, delivered.",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
