"""Stage timestamps in Kafka headers: stamped by each stage, forwarded downstream, read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from services.pipeline.stages import observe, passed, stamped

SEEN = datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)


def test_a_stage_forwards_the_stages_it_received_and_adds_its_own() -> None:
    received = {"ce_type": "x", "item_id": "f:1", "traceparent": "t", **stamped({}, seen=SEEN)}
    headers = stamped(received, classified=SEEN + timedelta(milliseconds=40))
    assert headers == {"ts_seen": "1772366400123", "ts_classified": "1772366400163"}
    assert passed(headers) == {"seen": SEEN, "classified": SEEN + timedelta(milliseconds=40)}


def test_unknown_or_unreadable_stage_headers_are_left_out() -> None:
    headers = {"ts_seen": "soon", "ts_bogus": "1", "ts_matched": "1772366400123"}
    assert stamped(headers) == {"ts_seen": "soon", "ts_matched": "1772366400123"}
    assert passed(headers) == {"matched": SEEN}
    with pytest.raises(ValueError, match="unknown stage"):
        stamped({}, bogus=SEEN)


def test_observe_records_the_time_since_first_sight() -> None:
    def count() -> float:
        return REGISTRY.get_sample_value("regalerts_stage_latency_seconds_count", {"stage": "classified"}) or 0.0

    def under(bound: str) -> float:
        labels = {"stage": "classified", "le": bound}
        return REGISTRY.get_sample_value("regalerts_stage_latency_seconds_bucket", labels) or 0.0

    before, fast_before = count(), under("0.05")
    observe("classified", first_seen=SEEN, at=SEEN + timedelta(milliseconds=30))
    observe("classified", first_seen=SEEN, at=SEEN + timedelta(seconds=3))
    assert count() - before == 2
    assert under("0.05") - fast_before == 1
