"""docker-compose.yml: valid against the Compose Specification and consistent with the code and infra/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.ops.conftest import INFRA, PROMETHEUS_DIR, default_port, load_yaml, settings_variables

COMPOSE = REPO_ROOT / "docker-compose.yml"
SERVICES = ("ingest", "classify", "notify", "web")
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?([-?]))?([^}]*)\}")


def _interpolate(value: Any) -> str:
    """A value as Compose sees it without a .env file: ${VAR:-default} is the default, ${VAR:?...} a token."""
    return INTERPOLATION.sub(lambda m: m.group(3) if m.group(2) == "-" else f"<{m.group(1)}>", str(value))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(COMPOSE)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {key: _interpolate(value) for key, value in (service.get("environment") or {}).items()}


def _regalerts_containers(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services.items() if "build" in s or str(s.get("image", "")).startswith("regalerts:")}


def _check_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_file_follows_the_compose_specification() -> None:
    result = _check_schema(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_compose_file(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("condition: service_healthy", "condition: service_up", 1))
    result = _check_schema(broken)
    assert result.returncode != 0
    assert "service_up" in result.stdout + result.stderr


def test_regalerts_containers_run_the_cli_and_read_only_documented_settings(
    services: dict[str, dict[str, Any]],
) -> None:
    known = settings_variables()
    containers = _regalerts_containers(services)
    assert set(SERVICES) | {"topics", "migrate"} <= set(containers)
    for name, service in containers.items():
        command = service["command"]
        assert command[0] in known, f"{name}: unknown regalerts command {command}"
        unknown = set(_env(service)) - known[command[0]]
        assert not unknown, f"{name} sets variables `regalerts {command[0]}` does not read: {sorted(unknown)}"
    assert [containers[s]["command"] for s in SERVICES] == [[s] for s in SERVICES]
    assert containers["topics"]["command"] == ["topics", "create"]
    assert containers["migrate"]["command"] == ["db", "upgrade"]


def test_service_ports_agree_everywhere(services: dict[str, dict[str, Any]]) -> None:
    scrape = load_yaml(PROMETHEUS_DIR / "prometheus.yml")["scrape_configs"]
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in scrape}
    for name in SERVICES:
        service = services[name]
        port = int(_env(service)["REGALERTS_HTTP_PORT"])
        assert port == default_port(name)
        assert f"127.0.0.1:{port}:{port}" in service["ports"]
        assert f"http://127.0.0.1:{port}/readyz" in " ".join(service["healthcheck"]["test"])
        assert targets[f"regalerts-{name}"] == [f"{name}:{port}"]


def test_every_service_has_a_healthcheck_and_waits_for_what_it_needs(services: dict[str, dict[str, Any]]) -> None:
    one_shot = {name for name, s in services.items() if s.get("restart") == "no"}
    assert one_shot == {"topics", "migrate"}
    for name, service in services.items():
        if name not in one_shot:
            assert service["healthcheck"]["test"], name
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            wanted = "service_completed_successfully" if dependency in one_shot else "service_healthy"
            assert condition["condition"] == wanted, f"{name} -> {dependency}"
    for name in SERVICES:
        assert {"kafka", "postgres", "topics", "migrate"} <= set(services[name]["depends_on"]), name
    assert set(services["topics"]["depends_on"]) == {"kafka"}
    assert set(services["migrate"]["depends_on"]) == {"postgres"}


def test_regalerts_containers_reach_kafka_and_postgres(services: dict[str, dict[str, Any]]) -> None:
    kafka = _env(services["kafka"])
    postgres = _env(services["postgres"])
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "controller" in kafka["KAFKA_PROCESS_ROLES"], "Kafka runs in KRaft mode"
    advertised = dict(item.split("://") for item in kafka["KAFKA_ADVERTISED_LISTENERS"].split(","))
    for name, service in _regalerts_containers(services).items():
        env = _env(service)
        assert env["REGALERTS_KAFKA_BOOTSTRAP_SERVERS"] == advertised["PLAINTEXT"], name
        url = urlsplit(env["REGALERTS_DATABASE_URL"])
        assert url.scheme == "postgresql+psycopg", name
        assert (url.hostname, url.port, url.username, url.password, url.path) == (
            "postgres",
            5432,
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
            f"/{postgres['POSTGRES_DB']}",
        ), name


def test_notify_sends_email_to_the_smtp_catcher(services: dict[str, dict[str, Any]]) -> None:
    env = _env(services["notify"])
    catcher = services[env["REGALERTS_SMTP_HOST"]]
    assert catcher["image"].startswith("axllent/mailpit:")
    assert env["REGALERTS_SMTP_PORT"] == "1025"  # Mailpit's SMTP port
    assert env["REGALERTS_SMTP_TLS"] == "none"
    assert "127.0.0.1:8025:8025" in catcher["ports"]  # its web UI
    assert env["REGALERTS_SMTP_HOST"] in services["notify"]["depends_on"]


def test_mounted_files_exist_and_are_where_their_programs_look(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    mounts: dict[str, str] = {}
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("."):
                assert (REPO_ROOT / source).exists(), f"{name} mounts missing {source}"
                mounts[target] = source
            else:
                assert source in compose["volumes"], f"{name} uses undeclared volume {source}"
    assert mounts["/etc/prometheus"] == "./infra/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]
    assert mounts["/etc/grafana/provisioning"] == "./infra/grafana/provisioning"
    provider = load_yaml(INFRA / "grafana" / "provisioning" / "dashboards" / "regalerts.yml")["providers"][0]
    assert mounts[provider["options"]["path"]] == "./infra/grafana/dashboards"
    home = _env(services["grafana"])["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (REPO_ROOT / "infra/grafana/dashboards" / Path(home).name).is_file()
    datasource = load_yaml(INFRA / "grafana" / "provisioning" / "datasources" / "prometheus.yml")["datasources"][0]
    assert datasource["url"] == "http://prometheus:9090" and "127.0.0.1:9090:9090" in services["prometheus"]["ports"]


def test_third_party_images_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if "build" in service:
            continue
        image, _, tag = service["image"].rpartition(":")
        assert image and re.match(r"v?\d+\.\d+", tag), f"{name}: pin {service['image']} to a release"


def test_the_yaml_anchors_expand_to_complete_services() -> None:
    # Merge keys (<<) are part of YAML 1.1, which Compose reads; the expanded services carry the shared parts.
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in SERVICES:
        assert services[name]["build"] == {"context": ".", "dockerfile": "Dockerfile"}, name
        assert services[name]["stop_grace_period"] == "30s", name
