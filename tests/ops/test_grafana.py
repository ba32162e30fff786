"""The provisioned Grafana dashboard: valid PromQL (checked by promtool) on metrics the services export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops.conftest import INFRA, exported_series_names, load_yaml, metric_names_in, promtool

GRAFANA = INFRA / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "regalerts.json"
# Grafana's interval variables, replaced by a plausible value so promtool can parse the expressions.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "6h"}
# What the issue asks the dashboard to show, and a metric that shows it.
REQUIRED = {
    "throughput per stage": "regalerts_items_in_total",
    "items out per stage": "regalerts_items_out_total",
    "consumer lag": "regalerts_consumer_lag_messages",
    "end-to-end latency": "regalerts_end_to_end_latency_seconds_bucket",
    "deliveries by outcome": "regalerts_deliveries_total",
    "feed health": "regalerts_feeds",
    "feed polls": "regalerts_feed_polls_total",
    "DLQ": "regalerts_dlq_messages_total",
}


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for panel in dashboard["panels"] if panel["type"] != "row"]


def _expressions(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in _panels(dashboard) for target in panel["targets"]]


def _datasource_uid() -> str:
    sources = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert len(sources) == 1 and sources[0]["type"] == "prometheus"
    return str(sources[0]["uid"])


def test_every_panel_queries_the_provisioned_prometheus(dashboard: dict[str, Any]) -> None:
    uid = _datasource_uid()
    for panel in _panels(dashboard):
        assert panel["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
        assert panel["targets"], panel["title"]
        assert all(target["datasource"]["uid"] == uid for target in panel["targets"]), panel["title"]


def test_panel_ids_are_unique_and_panels_do_not_overlap(dashboard: dict[str, Any]) -> None:
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    cells: dict[tuple[int, int], str] = {}
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


def test_dashboard_expressions_are_valid_promql(dashboard: dict[str, Any], tmp_path: Path) -> None:
    rules = []
    for number, expr in enumerate(_expressions(dashboard)):
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        rules.append({"record": f"dashboard:expression_{number}", "expr": expr})
    rule_file = tmp_path / "dashboard-rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = promtool("check", "rules", str(rule_file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules)} rules found" in result.stdout


def test_dashboard_reads_only_metrics_the_services_export(dashboard: dict[str, Any]) -> None:
    exported = exported_series_names()
    for expr in _expressions(dashboard):
        assert not metric_names_in(expr) - exported, expr


def test_dashboard_shows_what_an_sre_needs_at_a_glance(dashboard: dict[str, Any]) -> None:
    read = set().union(*(metric_names_in(expr) for expr in _expressions(dashboard)))
    missing = {what: metric for what, metric in REQUIRED.items() if metric not in read}
    assert not missing
    quantiles = " ".join(_expressions(dashboard))
    assert "histogram_quantile(0.5, " in quantiles and "histogram_quantile(0.99, " in quantiles


def test_dashboard_provider_loads_the_folder_compose_mounts() -> None:
    provider = load_yaml(GRAFANA / "provisioning" / "dashboards" / "regalerts.yml")["providers"][0]
    assert provider["type"] == "file"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
