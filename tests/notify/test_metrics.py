"""The notify metrics move with what really happens (names are what alert rules are written against)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine

from services.notify import metrics, worker
from services.pipeline.stages import passed
from tests.notify.conftest import Receiver, Running, make_item, wait_for


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_follow_matches_attempts_outcomes_and_latency(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "GAUGE_EVERY_S", 0.0)  # refresh the retry-queue gauge every round
    metrics.initialise()
    names = {
        "matched": ("regalerts_alerts_matched_total", {}),
        "delivered": ("regalerts_deliveries_total", {"channel": "webhook", "outcome": "delivered"}),
        "failed": ("regalerts_deliveries_total", {"channel": "webhook", "outcome": "failed"}),
        "dead": ("regalerts_deliveries_dead_total", {"channel": "webhook"}),
        "attempts": ("regalerts_delivery_attempts_total", {"channel": "webhook"}),
        "latency": ("regalerts_end_to_end_latency_seconds_count", {"channel": "webhook"}),
    }
    before = {key: value(name, **labels) for key, (name, labels) in names.items()}
    running = notify_on(engine, retry_schedule_s=[0.01, 30.0], breaker_failure_threshold=10)
    tenant = running.tenant()
    for path in ("/ok", "/down"):
        _, secret = running.subscribe(tenant, {"type": "webhook", "url": receiver.url + path})
        receiver.secrets[path] = secret or ""
    receiver.answer("/down", 500, 500)
    running.intake.ingest(make_item("feed:1"))
    running.intake.ingest(make_item("feed:1"))  # redelivered: no new alert
    wait_for(lambda: len(receiver.on("/ok")) == 1, "the healthy delivery")
    wait_for(lambda: [d.attempts for d in running.deliveries()].count(2) == 1, "the second failure")
    wait_for(lambda: value("regalerts_delivery_retry_queue_depth") == 1.0, "the retry queue gauge")
    wait_for(lambda: value(*names["attempts"][:1], **names["attempts"][1]) - before["attempts"] >= 3, "counters")
    after = {key: value(name, **labels) for key, (name, labels) in names.items()}
    assert after["matched"] - before["matched"] == 2
    assert after["delivered"] - before["delivered"] == 1
    assert after["failed"] - before["failed"] == 2
    assert after["attempts"] - before["attempts"] == 3
    assert after["latency"] - before["latency"] == 1
    assert after["dead"] == before["dead"]


def test_a_delivery_attempt_carries_when_its_item_passed_each_stage(
    engine: Engine, receiver: Receiver, notify_on: Callable[..., Running]
) -> None:
    def matched_count() -> float:
        return value("regalerts_stage_latency_seconds_count", stage="matched")

    before = matched_count()
    running = notify_on(engine)
    tenant = running.tenant()
    _, secret = running.subscribe(tenant, {"type": "webhook", "url": receiver.url + "/ok"})
    receiver.secrets["/ok"] = secret or ""
    item = make_item("feed:stages")
    running.intake.ingest(item)
    wait_for(lambda: len(running.stage_headers) == 1, "the published attempt")
    stages = passed(next(iter(running.stage_headers.values())))
    assert list(stages) == ["seen", "classified", "matched", "delivered"]
    assert abs(stages["seen"] - item.item.first_seen_at) < timedelta(milliseconds=1)
    assert abs(stages["classified"] - item.classified_at) < timedelta(milliseconds=1)
    assert stages["seen"] <= stages["matched"] <= stages["delivered"]
    assert matched_count() - before == 1
