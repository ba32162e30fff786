"""`regalerts up` supervises its children: a killed service comes back with nothing of it left behind, a
crash-looping one is restarted with a backoff (reported on its /readyz) while the others keep serving, and
nothing of the product outlives `up`."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.peers import wait_for
from tests.e2e.up_process import UpProcess, children_of, ready, service_pid

pytestmark = pytest.mark.e2e


@pytest.fixture
def up(tmp_path: Path) -> Iterator[UpProcess]:
    running = UpProcess(tmp_path / "var")
    try:
        wait_for(running.started, 180, "up to start everything")
        assert running.process.poll() is None, running.output()
        yield running
    finally:
        running.stop()


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill(up: UpProcess, name: str) -> int:
    """SIGKILL the service's process; its pid."""
    pid = service_pid(up, name)
    assert pid is not None, f"no {name} process; {up.output()}"
    os.kill(pid, signal.SIGKILL)
    return pid


def _others_serve(up: UpProcess, name: str) -> None:
    for other, url in up.service_urls().items():
        if other != name:
            assert ready(url), f"{other} stopped serving after {name} was killed\n{up.output()}"
    page = up.page_url()
    assert page and httpx.get(page, timeout=5).status_code == 200


def _restarted(up: UpProcess, name: str, killed: int) -> None:
    wait_for(lambda: service_pid(up, name) not in (None, killed), 30, f"{name} to be restarted")


def _kill_and_see_it_back(up: UpProcess, name: str) -> None:
    descendants = children_of(service_pid(up, name) or 0)
    killed = _kill(up, name)
    _others_serve(up, name)
    wait_for(lambda: not any(map(_alive, descendants)), 10, f"the processes {name} started to be ended")
    _restarted(up, name, killed)
    wait_for(lambda: ready(up.service_urls()[name]), 90, f"{name} to serve again")


def _wait_for_parse_workers(up: UpProcess) -> None:
    """ingest parses in a worker process, beside multiprocessing's resource tracker, once a feed was polled."""
    ingest = service_pid(up, "ingest")
    assert ingest is not None
    wait_for(lambda: len(children_of(ingest)) >= 2, 120, "ingest's parse worker and resource tracker")


def test_a_killed_service_leaves_nothing_behind_and_comes_back(up: UpProcess) -> None:
    _wait_for_parse_workers(up)
    for name in ("ingest", "classify", "notify"):
        _kill_and_see_it_back(up, name)
    assert up.process.poll() is None, up.output()

    up.process.send_signal(signal.SIGINT)
    assert up.process.wait(timeout=60) == 0, up.output()
    wait_for(lambda: not up.processes(), 10, "every process of the product to be gone")


def test_a_crash_looping_service_backs_off_while_the_rest_keeps_serving(up: UpProcess) -> None:
    notify_url = up.service_urls()["notify"]
    for _crash in range(6):
        _restarted(up, "notify", _kill(up, "notify"))
    _kill(up, "notify")  # the 7th crash in a row: restarted after the cap, 30 s
    wait_for(lambda: "(7 in a row): restarting in 30 s" in up.output(), 10, "the backoff reported")
    status = httpx.get(f"{notify_url}/readyz", timeout=5)
    assert status.status_code == 503
    body = status.json()
    assert body["status"] == "restarting" and body["service"] == "notify", body
    assert body["crashes_in_a_row"] == 7 and body["last_exit_code"] == -signal.SIGKILL, body
    assert 0 < body["restart_in_s"] <= 30, body
    assert up.process.poll() is None, up.output()  # up, the broker and the other services keep running
    _others_serve(up, "notify")
    assert "restarting in 1 s" in up.output() and "restarting in 16 s" in up.output()

    wait_for(lambda: ready(notify_url), 90, "notify to serve again after its backoff")
    up.process.send_signal(signal.SIGINT)
    assert up.process.wait(timeout=60) == 0, up.output()
    wait_for(lambda: not up.processes(), 10, "every process of the product to be gone")


def test_the_services_stop_when_up_is_killed(up: UpProcess) -> None:
    _wait_for_parse_workers(up)
    assert len(up.processes()) >= 7  # up, the broker, the three services, ingest's two
    up.process.kill()
    up.process.wait()
    # The services and the embedded broker get SIGTERM when up dies; the services end what they started.
    try:
        wait_for(lambda: not up.processes(), 60, "every process of the product to stop")
    except AssertionError as exc:
        left = [_cmdline(p)[:120] for p in up.processes()]
        for pid in up.processes():
            os.kill(pid, signal.SIGKILL)
        raise AssertionError(f"{exc}: left {left}; ingest's log ends {up.log_tail('ingest')}") from None


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
