"""Prometheus configuration and alert rules: promtool accepts them, their unit tests pass and cover every alert."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.ops.conftest import (
    PROMETHEUS_DIR,
    alert_rules,
    exported_series_names,
    load_yaml,
    metric_names_in,
    promtool,
)

RUNBOOK = REPO_ROOT / "docs" / "runbook.md"
RULE_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
REQUIRED_ALERTS = {
    "RegAlertsServiceDown",
    "RegAlertsConsumerLagGrowing",
    "RegAlertsFeedFailureRatioHigh",
    "RegAlertsDeliveryFailureRatioHigh",
    "RegAlertsDeadDeliveries",
    "RegAlertsDLQGrowing",
    "RegAlertsEndToEndLatencyHigh",
}


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus-kubernetes.yml"])
def test_promtool_accepts_the_configuration_and_its_rule_files(config: str) -> None:
    result = promtool("check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 1 rule files found" in result.stdout


def test_promtool_accepts_the_alert_rules() -> None:
    result = promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rule_unit_tests_pass() -> None:
    assert RULE_TESTS, "no promtool unit tests in infra/prometheus/tests/"
    result = promtool("test", "rules", *(str(path.relative_to(PROMETHEUS_DIR)) for path in RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(RULE_TESTS), result.stdout


def test_promtool_test_rules_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    # The unit tests above can fail: an alert expected where none fires is reported.
    broken = tmp_path / "broken.yml"
    broken.write_text(
        f"rule_files: ['{PROMETHEUS_DIR / 'alerts.yml'}']\nevaluation_interval: 1m\ntests:\n"
        "  - interval: 1m\n    input_series:\n"
        "      - {series: 'up{job=\"regalerts-ingest\"}', values: '1x10'}\n"
        "      - {series: 'up{job=\"regalerts-classify\"}', values: '1x10'}\n"
        "      - {series: 'up{job=\"regalerts-notify\"}', values: '1x10'}\n"
        "    alert_rule_test:\n"
        "      - {eval_time: 5m, alertname: RegAlertsServiceDown, exp_alerts: [{exp_labels: {severity: critical}}]}\n"
    )
    result = promtool("test", "rules", str(broken))
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr


def test_the_issue_s_alerts_are_all_there() -> None:
    assert {rule["alert"] for rule in alert_rules()} >= REQUIRED_ALERTS


def test_every_alert_has_a_severity_and_a_runbook_entry_of_its_own() -> None:
    headings = re.findall(r"^## (\S+)\s*$", RUNBOOK.read_text(encoding="utf-8"), flags=re.MULTILINE)
    for rule in alert_rules():
        name = rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning"}, name
        assert rule["annotations"]["runbook_url"] == f"docs/runbook.md#{name.lower()}", name
        assert headings.count(name) == 1, f"docs/runbook.md needs one '## {name}' entry"
    assert sorted(headings) == sorted(rule["alert"] for rule in alert_rules()), "runbook entries without an alert"


def test_every_alert_has_unit_tests_that_fire_it_and_that_do_not() -> None:
    fired: dict[str, int] = defaultdict(int)
    quiet: dict[str, int] = defaultdict(int)
    for path in RULE_TESTS:
        for case in load_yaml(path)["tests"]:
            for check in case.get("alert_rule_test", []):
                (fired if check.get("exp_alerts") else quiet)[check["alertname"]] += 1
    for rule in alert_rules():
        assert fired[rule["alert"]] and quiet[rule["alert"]], f"{rule['alert']}: fired {fired}, quiet {quiet}"


def test_alert_rules_read_only_metrics_the_services_export() -> None:
    exported = exported_series_names()
    for rule in alert_rules():
        unknown = metric_names_in(rule["expr"]) - exported
        assert not unknown, f"{rule['alert']} reads metrics no service exports: {sorted(unknown)}"
