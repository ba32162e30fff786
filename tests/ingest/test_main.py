"""The service as main builds it: workers, operational routes, metrics named as the alert rules expect."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY

from services.ingest.main import build_service
from services.ingest.publisher import Publisher
from services.ingest.scheduler import Scheduler
from tests.ingest.conftest import make_settings


def test_build_service_wires_scheduler_publisher_and_routes(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'x.db'}", http_port=0)
    service = build_service(settings)
    assert service.name == "ingest"
    assert [type(w) for w in service.workers] == [Scheduler, Publisher]
    paths = set(service.app.openapi()["paths"])
    assert {
        "/healthz",
        "/readyz",
        "/v1/feeds",
        "/v1/feeds/{feed_id}",
        "/v1/feeds/{feed_id}/poll",
        "/v1/feeds/opml",
    } <= paths


def test_default_port_and_token_setting() -> None:
    from services.ingest.settings import IngestSettings

    assert IngestSettings.model_fields["http_port"].default == 8701
    assert IngestSettings.model_fields["admin_token"].default == ""


def test_metrics_exist_with_the_names_the_alert_rules_use(tmp_path: Path) -> None:
    build_service(make_settings(f"sqlite:///{tmp_path / 'x.db'}"))
    assert (
        REGISTRY.get_sample_value("regalerts_feed_polls_total", {"outcome": "error", "reason": "timeout"}) is not None
    )
    assert (
        REGISTRY.get_sample_value("regalerts_feed_polls_total", {"outcome": "not_modified", "reason": "none"})
        is not None
    )
    assert REGISTRY.get_sample_value("regalerts_ingest_items_published_total", {"kind": "update"}) is not None
    assert REGISTRY.get_sample_value("regalerts_feeds", {"state": "failing"}) is not None
    assert REGISTRY.get_sample_value("regalerts_ingest_publish_backlog_items") is not None
    assert REGISTRY.get_sample_value("regalerts_feed_poll_duration_seconds_count") is not None
