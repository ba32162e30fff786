"""docs/operations.md and docs/runbook.md: the sections an SRE needs, and only settings and metrics that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.ops.conftest import alert_rules, exported_series_names, metric_names_in, settings_variables

OPERATIONS = REPO_ROOT / "docs" / "operations.md"
RUNBOOK = REPO_ROOT / "docs" / "runbook.md"
VARIABLE = re.compile(r"\bREGALERTS_[A-Z0-9_]+")


def test_operations_covers_deploy_scale_upgrade_migrate_and_back_up() -> None:
    headings = re.findall(r"^## (.+)$", OPERATIONS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert {"Deploy", "Scale", "Upgrade", "Migrate", "Back up", "Monitoring"} <= set(headings)


def test_operations_lists_every_alert() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    for rule in alert_rules():
        assert f"| {rule['alert']} | {rule['labels']['severity']} |" in text, rule["alert"]


@pytest.mark.parametrize("doc", [OPERATIONS, RUNBOOK], ids=lambda path: path.name)
def test_docs_name_only_settings_that_exist(doc: Path) -> None:
    known = set().union(*settings_variables().values())
    named = set(VARIABLE.findall(doc.read_text(encoding="utf-8")))
    assert named, "expected the doc to point at settings"
    assert not named - known, f"unknown settings: {sorted(named - known)}"


@pytest.mark.parametrize("doc", [OPERATIONS, RUNBOOK], ids=lambda path: path.name)
def test_docs_name_only_metrics_that_exist(doc: Path) -> None:
    named = metric_names_in(doc.read_text(encoding="utf-8"))
    assert not named - exported_series_names(), f"unknown metrics: {sorted(named - exported_series_names())}"
