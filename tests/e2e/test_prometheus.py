"""A real Prometheus server scrapes the three services while items flow; PromQL sees every stage move.

Prometheus runs with the project's own configuration (infra/prometheus/prometheus.yml, its jobs and alert
rules) with only the targets pointed at the services this test starts.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from services.pipeline.broker import free_port
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import Pipeline, poll_now, register_feed, subscribe
from tests.e2e.peers import SEED_SUMMARY, SEED_TITLE, FeedServer, WebhookReceiver, rss, wait_for

pytestmark = pytest.mark.e2e

STAGES = ("ingest", "classify", "notify")
PROMETHEUS_DIR = REPO_ROOT / "infra" / "prometheus"
MOVED = [
    f'sum({series}{{stage="{stage}"}})'
    for stage in STAGES
    for series in ("regalerts_items_in_total", "regalerts_items_out_total")
]
LATENCY = ("sum(regalerts_end_to_end_latency_seconds_count)", "sum(regalerts_end_to_end_latency_seconds_sum)")


def _scrape_config(pipeline: Pipeline, directory: Path) -> Path:
    """infra/prometheus/prometheus.yml scraping the test's services every second, with the real alert rules."""
    config: dict[str, Any] = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    config["rule_files"] = [str(PROMETHEUS_DIR / name) for name in config["rule_files"]]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for stage in STAGES:
        jobs[f"regalerts-{stage}"]["static_configs"] = [{"targets": [f"127.0.0.1:{pipeline.children[stage].port}"]}]
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture
def prometheus(pipeline: Pipeline, tmp_path: Path) -> Iterator[str]:
    """Debian's prometheus, started on a free port with a fresh TSDB."""
    binary = shutil.which("prometheus")
    assert binary, "prometheus is not installed: `make system-deps` installs Debian's prometheus package"
    port = free_port()
    log_path = tmp_path / "prometheus.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={_scrape_config(pipeline, tmp_path)}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(url, process, log_path), 60, "prometheus to be ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _ready(url: str, process: subprocess.Popen[bytes], log_path: Path) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"prometheus exited with {process.returncode}: {log_path.read_text()[-2000:]}")
    try:
        return httpx.get(f"{url}/-/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _value(url: str, promql: str) -> float:
    """The single value of an instant query (0 when it returns no series)."""
    response = httpx.get(f"{url}/api/v1/query", params={"query": promql}, timeout=5)
    response.raise_for_status()
    result = response.json()["data"]["result"]
    assert len(result) <= 1, f"{promql} returned several series"
    return float(result[0]["value"][1]) if result else 0.0


def _push_one_item_through(pipeline: Pipeline, receiver: WebhookReceiver) -> None:
    feed = FeedServer(rss([{"guid": "seed", "title": SEED_TITLE, "summary": SEED_SUMMARY}]))
    try:
        subscribe(pipeline, receiver, {"companies": ["Tencent"]})
        poll_now(pipeline, register_feed(pipeline, feed.feed_url))
        wait_for(lambda: len(receiver.item_ids()) >= 1, 120, "the alert")
    finally:
        feed.close()


def test_prometheus_sees_items_flow_through_every_stage(
    pipeline: Pipeline, receiver: WebhookReceiver, prometheus: str
) -> None:
    up = 'count(up{job=~"regalerts-.+"} == 1)'
    wait_for(lambda: _value(prometheus, up) == 3, 60, "the three services scraped")
    before = {query: _value(prometheus, query) for query in (*MOVED, *LATENCY)}
    assert before == dict.fromkeys(before, 0.0), "nothing has flowed yet"

    _push_one_item_through(pipeline, receiver)

    for query in (*MOVED, LATENCY[0]):
        wait_for(lambda q=query: _value(prometheus, q) >= 1, 30, f"{query} >= 1")
    assert _value(prometheus, LATENCY[1]) > 0

    # The project's alert rules evaluate against the live series without errors, and none fires.
    wait_for(lambda: all(rule["health"] == "ok" for rule in _alert_rules(prometheus)), 30, "alert rules evaluated")
    rules = _alert_rules(prometheus)
    assert len(rules) >= 7
    assert not [rule["name"] for rule in rules if rule["state"] == "firing"]


def _alert_rules(url: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{url}/api/v1/rules", params={"type": "alert"}, timeout=5)
    response.raise_for_status()
    return [rule for group in response.json()["data"]["groups"] for rule in group["rules"]]
