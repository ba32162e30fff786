"""infra/k8s/: valid Kubernetes objects (kubernetes-validate, strict) that fit together and fit the code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.pipeline.topics import ITEMS_CLASSIFIED, ITEMS_RAW
from tests.ops.conftest import INFRA, PROMETHEUS_DIR, default_port, load_yaml, settings_variables

K8S = INFRA / "k8s"
MANIFESTS = sorted(K8S.glob("*.yaml"))
NAMESPACE = "regalerts"
CONSUMED_TOPIC = {"classify": ITEMS_RAW, "notify": ITEMS_CLASSIFIED, "web": ITEMS_CLASSIFIED}

Objects = dict[tuple[str, str], dict[str, Any]]


@pytest.fixture(scope="module")
def objects() -> Objects:
    found: Objects = {}
    for path in MANIFESTS:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            key = (document["kind"], document["metadata"]["name"])
            assert key not in found, f"{key} declared twice"
            found[key] = document
    return found


def _of_kind(objects: Objects, kind: str) -> dict[str, dict[str, Any]]:
    return {name: obj for (k, name), obj in objects.items() if k == kind}


def _pod_specs(objects: Objects) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind in ("Deployment", "Job"):
        for name, obj in _of_kind(objects, kind).items():
            yield f"{kind}/{name}", obj["spec"]["template"]["spec"]


def _containers(objects: Objects) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for where, pod in _pod_specs(objects):
        for container in pod["containers"]:
            yield where, pod, container


def _env_names(objects: Objects, container: dict[str, Any]) -> set[str]:
    names = {entry["name"] for entry in container.get("env", [])}
    for source in container.get("envFrom", []):
        kind, ref = (
            ("ConfigMap", source["configMapRef"]) if "configMapRef" in source else ("Secret", source["secretRef"])
        )
        referenced = objects.get((kind, ref["name"]))
        assert referenced is not None, f"envFrom references missing {kind} {ref['name']}"
        names |= set(referenced.get("data", {})) | set(referenced.get("stringData", {}))
    return names


def _validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manifests_are_valid_kubernetes_objects() -> None:
    assert MANIFESTS
    result = _validate(*MANIFESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_strict_validation_rejects_a_misspelt_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text((K8S / "30-ingest.yaml").read_text().replace("readinessProbe:", "readynessProbe:", 1))
    result = _validate(broken)
    assert result.returncode != 0
    assert "readynessProbe" in result.stdout + result.stderr


def test_everything_lives_in_one_namespace(objects: Objects) -> None:
    assert ("Namespace", NAMESPACE) in objects
    for (kind, name), obj in objects.items():
        if kind != "Namespace":
            assert obj["metadata"]["namespace"] == NAMESPACE, f"{kind}/{name}"


def test_containers_run_the_cli_with_only_documented_settings(objects: Objects) -> None:
    known = settings_variables()
    for where, _pod, container in _containers(objects):
        command = container["args"][0]
        assert command in known, f"{where}: unknown regalerts command {container['args']}"
        unknown = _env_names(objects, container) - known[command]
        assert not unknown, f"{where} sets variables `regalerts {command}` does not read: {sorted(unknown)}"


def test_probes_hit_healthz_and_readyz_on_the_service_port(objects: Objects) -> None:
    deployments = _of_kind(objects, "Deployment")
    assert set(deployments) == {"regalerts-ingest", "regalerts-classify", "regalerts-notify", "regalerts-web"}
    for name, deployment in deployments.items():
        service = name.removeprefix("regalerts-")
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["args"] == [service]
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        env = {entry["name"]: entry.get("value") for entry in container["env"]}
        assert ports["http"] == int(env["REGALERTS_HTTP_PORT"]) == default_port(service), name
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}, name
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}, name
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz", name


def test_every_container_has_requests_limits_and_a_locked_down_context(objects: Objects) -> None:
    for where, pod, container in _containers(objects):
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{where} {bound}"
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["runAsUser"] >= 1000, where
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True, where
        assert context["capabilities"]["drop"] == ["ALL"], where


def test_consumers_scale_out_and_ingest_stays_single(objects: Objects) -> None:
    deployments = _of_kind(objects, "Deployment")
    autoscalers = _of_kind(objects, "HorizontalPodAutoscaler")
    targets = {hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in autoscalers.values()}
    for hpa in autoscalers.values():
        ref = hpa["spec"]["scaleTargetRef"]
        assert ref["kind"] == "Deployment" and ref["name"] in deployments, ref
    for service, topic in CONSUMED_TOPIC.items():
        name = f"regalerts-{service}"
        assert deployments[name]["spec"]["replicas"] >= 2, name
        spec = targets[name]["spec"]
        assert 2 <= spec["minReplicas"] <= spec["maxReplicas"] <= topic.partitions, f"{name} vs {topic.name}"
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert "cpu" in container["resources"]["requests"], "CPU utilisation needs a CPU request"
    ingest = deployments["regalerts-ingest"]["spec"]
    assert ingest["replicas"] == 1 and ingest["strategy"]["type"] == "Recreate"
    assert "regalerts-ingest" not in targets


def test_services_select_their_pods_and_expose_every_replica_to_prometheus(objects: Objects) -> None:
    deployments = _of_kind(objects, "Deployment")
    services = _of_kind(objects, "Service")
    scrape = {job["job_name"]: job for job in load_yaml(PROMETHEUS_DIR / "prometheus-kubernetes.yml")["scrape_configs"]}
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        port = deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
        for service_name in (name, f"{name}-pods"):
            service = services[service_name]["spec"]
            assert service["selector"].items() <= labels.items(), service_name
            assert service["ports"] == [{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}]
        assert services[f"{name}-pods"]["spec"]["clusterIP"] == "None"
        (discovery,) = scrape[name]["dns_sd_configs"]
        assert discovery["names"] == [f"{name}-pods.{NAMESPACE}.svc.cluster.local"]
        assert discovery["port"] == port


def test_disruption_budgets_select_existing_pods(objects: Objects) -> None:
    deployments = _of_kind(objects, "Deployment")
    for name, budget in _of_kind(objects, "PodDisruptionBudget").items():
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items(), name


def test_the_migration_job_upgrades_the_configured_database(objects: Objects) -> None:
    job = _of_kind(objects, "Job")["regalerts-db-upgrade"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["db", "upgrade"]
    assert "REGALERTS_DATABASE_URL" in _env_names(objects, container)
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    topics = _of_kind(objects, "Job")["regalerts-topics-create"]["spec"]["template"]["spec"]["containers"][0]
    assert topics["args"][:2] == ["topics", "create"]
    assert "REGALERTS_KAFKA_BOOTSTRAP_SERVERS" in _env_names(objects, topics)


def test_secrets_hold_the_credentials_and_config_maps_do_not(objects: Objects) -> None:
    secret_keys = set().union(*(set(s.get("stringData", {})) for s in _of_kind(objects, "Secret").values()))
    assert {"REGALERTS_DATABASE_URL", "REGALERTS_ADMIN_TOKEN", "REGALERTS_SMTP_PASSWORD"} <= secret_keys
    for name, config_map in _of_kind(objects, "ConfigMap").items():
        for key in config_map["data"]:
            assert not any(word in key for word in ("PASSWORD", "TOKEN", "SECRET", "DATABASE_URL")), f"{name}: {key}"


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())


def _peers(rule: dict[str, Any]) -> set[str]:
    """Who a rule admits: namespace labels, or "pod:<component>" for this namespace's pods."""
    found = set()
    for peer in rule["from"]:
        assert ("namespaceSelector" in peer) != ("podSelector" in peer), peer
        if "namespaceSelector" in peer:
            found |= set(peer["namespaceSelector"]["matchLabels"])
        else:
            found.add(f"pod:{peer['podSelector']['matchLabels']['app.kubernetes.io/component']}")
    return found


def test_network_policies_deny_by_default_and_open_only_what_is_called(objects: Objects) -> None:
    policies = _of_kind(objects, "NetworkPolicy")
    pods = {
        name: obj["spec"]["template"]["metadata"]["labels"] for name, obj in _of_kind(objects, "Deployment").items()
    }
    deny = [p for p in policies.values() if p["spec"]["podSelector"] == {} and not p["spec"].get("ingress")]
    assert deny and deny[0]["spec"]["policyTypes"] == ["Ingress"], "no default-deny ingress policy"
    reachable_from: dict[str, set[str]] = {name: set() for name in pods}
    for policy in policies.values():
        for rule in policy["spec"].get("ingress", []):
            assert rule["from"], rule
            assert [port["port"] for port in rule["ports"]] == ["http"], rule
            sources = _peers(rule)
            for name, labels in pods.items():
                if _selects(policy["spec"]["podSelector"], labels):
                    reachable_from[name] |= sources
    assert reachable_from == {
        "regalerts-ingest": {"regalerts.org/monitoring", "pod:web"},
        "regalerts-classify": {"regalerts.org/monitoring", "pod:web", "pod:notify"},
        "regalerts-notify": {"regalerts.org/monitoring", "regalerts.org/ingress", "pod:web"},
        "regalerts-web": {"regalerts.org/monitoring", "regalerts.org/ingress"},
    }
