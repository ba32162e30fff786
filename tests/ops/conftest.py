"""Helpers for the operations tests: the infra/ tree, promtool, and the metric names the services export."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.registry import REGISTRY

from tests.conftest import REPO_ROOT

INFRA = REPO_ROOT / "infra"
PROMETHEUS_DIR = INFRA / "prometheus"
METRIC_MODULES = ("services.pipeline.metrics", "services.ingest.metrics", "services.notify.metrics")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "info": ("_info",)}
METRIC_NAME = re.compile(r"\bregalerts_[a-z0-9_]+")


def promtool(*args: str, cwd: Path = PROMETHEUS_DIR) -> subprocess.CompletedProcess[str]:
    """Run Debian's promtool; the test fails (it is not skipped) when the package is missing."""
    binary = shutil.which("promtool")
    assert binary, "promtool is not installed: `make system-deps` installs Debian's prometheus package"
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def exported_series_names(registry: CollectorRegistry = REGISTRY) -> set[str]:
    """Every RegAlerts series name the services' metric modules declare (``_total``, ``_bucket``... included)."""
    for module in METRIC_MODULES:
        importlib.import_module(module)
    names: set[str] = set()
    for family in registry.collect():
        if family.name.startswith("regalerts_"):
            names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names


def metric_names_in(promql: str) -> set[str]:
    """The ``regalerts_*`` metric names a PromQL expression reads."""
    return set(METRIC_NAME.findall(promql))


def load_yaml(path: Path) -> Any:
    """Parse one YAML document."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def alert_rules() -> list[dict[str, Any]]:
    """Every alerting rule of infra/prometheus/alerts.yml."""
    groups = load_yaml(PROMETHEUS_DIR / "alerts.yml")["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def settings_variables() -> dict[str, set[str]]:
    """``REGALERTS_*`` variables each process reads, from the settings classes (what docs/configuration.md lists).

    Keys: the ``regalerts`` subcommand of the process — ingest, classify, notify; ``db`` and ``topics`` read
    the shared settings only.
    """
    from services.cli.docs import service_settings

    found = {service: {f"REGALERTS_{name.upper()}" for name in cls.model_fields} for service, cls in service_settings()}
    found["db"] = found["topics"] = found.pop("all")
    return found


def default_port(service: str) -> int:
    """The HTTP port a service's settings default to (8701, 8702, 8703)."""
    from services.cli.docs import service_settings

    classes = dict(service_settings())
    return int(classes[service].model_fields["http_port"].default)
