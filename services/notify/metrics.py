"""Prometheus metrics of the notify service, each declared once here (names fixed in docs/interfaces).

The end-to-end latency histogram is shared (``services.pipeline.metrics.END_TO_END_LATENCY``); notify
observes it on each successful delivery. Labels are bounded: channel and outcome only.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

# One per (item, subscription) pair newly matched (a redelivered item does not count again).
ALERTS_MATCHED = Counter("regalerts_alerts_matched_total", "Alerts created by matching items to subscriptions.")
# Final and intermediate outcomes of deliveries: delivered, failed (an attempt failed), dead, disabled.
DELIVERIES = Counter("regalerts_deliveries_total", "Delivery outcomes by channel.", ["channel", "outcome"])
# Every attempt to send (a coalesced Slack message or digest counts once per alert it carries).
DELIVERY_ATTEMPTS = Counter("regalerts_delivery_attempts_total", "Delivery attempts by channel.", ["channel"])
# Deliveries waiting for a retry (at least one failed attempt, not yet delivered or dead).
RETRY_QUEUE_DEPTH = Gauge("regalerts_delivery_retry_queue_depth", "Deliveries scheduled for a retry.")
# Deliveries that used every retry.
DEAD_DELIVERIES = Counter("regalerts_deliveries_dead_total", "Deliveries given up after every retry.", ["channel"])

CHANNELS = ("webhook", "slack", "email")
OUTCOMES = ("delivered", "failed", "dead", "disabled")


def initialise() -> None:
    """Create every labelled series at zero, so dashboards and alerts see them before the first event."""
    for channel in CHANNELS:
        DELIVERY_ATTEMPTS.labels(channel=channel)
        DEAD_DELIVERIES.labels(channel=channel)
        for outcome in OUTCOMES:
            DELIVERIES.labels(channel=channel, outcome=outcome)
