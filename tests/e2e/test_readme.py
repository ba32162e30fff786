"""README.md's "Using it" block, read from the file and run as written with bash, against `regalerts up --demo`
started as `make run` starts it, in a fresh checkout-like folder, with the default ports taken by others."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from services.cli.demo import DEMO_MEMBER, DEMO_PORT, DEMO_SMTP_PORT
from services.cli.up import SERVICES
from tests.conftest import REPO_ROOT
from tests.e2e.peers import wait_for
from tests.e2e.up_process import OUTSIDE_SETTINGS, UpProcess

pytestmark = pytest.mark.e2e

PRESS_TITLE = "Irish regulator fines ByteDance's TikTok €530 million over data transfers to China"


def using_it_block(readme: Path = REPO_ROOT / "README.md") -> str:
    """The first ```sh block after the "## Using it" heading."""
    section = readme.read_text(encoding="utf-8").split("\n## Using it\n", 1)[1]
    match = re.search(r"^```sh\n(.*?)^```$", section, re.M | re.S)
    assert match, "README.md has no sh block under 'Using it'"
    return match.group(1)


@pytest.fixture
def default_ports_taken() -> Iterator[None]:
    """Something else listens on every default port of `up --demo` that is free (others are taken already)."""
    with ExitStack() as stack:
        for port in [DEMO_PORT, DEMO_SMTP_PORT, *(service.port for service in SERVICES)]:
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            try:
                sock.bind(("127.0.0.1", port))
                sock.listen()
            except OSError:
                pass
        yield


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A folder shaped like a checkout after `make install`: .venv and the repository's files, no var/."""
    root = tmp_path / "checkout"
    root.mkdir()
    (root / ".venv").symlink_to(REPO_ROOT / ".venv")
    (root / "tests").symlink_to(REPO_ROOT / "tests")
    return root


def _fresh_shell_env() -> dict[str, str]:
    """The environment of a new terminal: no RegAlerts settings, no virtualenv, no `regalerts` on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGALERTS_") and k != "VIRTUAL_ENV"}
    path = [d for d in env.get("PATH", "").split(os.pathsep) if d and not shutil.which("regalerts", path=d)]
    env["PATH"] = os.pathsep.join(path)
    assert all(name not in env for name in OUTSIDE_SETTINGS)
    return env


def _caught_mail(demo: str) -> list[dict[str, object]]:
    return [m for m in httpx.get(f"{demo}/mail.json", timeout=5).json() if PRESS_TITLE in str(m["text"])]


def _press_alerts(demo: str) -> list[dict[str, object]]:
    return [
        a
        for a in httpx.get(f"{demo}/alerts.json", timeout=5).json()
        if PRESS_TITLE in json.dumps(a, ensure_ascii=False)
    ]


@pytest.mark.usefixtures("default_ports_taken")
def test_the_readme_using_it_block_works_as_written(checkout: Path) -> None:
    up = UpProcess(Path("var"), cwd=checkout)
    try:
        wait_for(up.started, 180, "up --demo to start")
        assert up.process.poll() is None, up.output()
        assert "(notify's default) is busy: notify uses port" in up.output()
        env_file = (checkout / "var" / "regalerts.env").read_text()
        urls = dict(re.findall(r"^export REGALERTS_(\w+)_URL=(\S+)$", env_file, re.M))
        assert urls["NOTIFY"] != "http://127.0.0.1:8703"

        ran = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", using_it_block()],
            cwd=checkout,
            env=_fresh_shell_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert ran.returncode == 0, f"{ran.stdout}\n{ran.stderr}"
        assert ran.stdout.count("whsec_") == 1, ran.stdout  # the webhook's secret, once; never listed again
        assert ran.stdout.count('"ByteDance, by email"') == 2, ran.stdout  # created, then listed
        assert '"acronym": "CNIL"' in ran.stdout, ran.stdout  # regalerts tag

        demo = urls["DEMO"]
        try:
            wait_for(lambda: len(_press_alerts(demo)) >= 2, 120, "the press story at the demo's and acme's webhooks")
        except AssertionError as exc:
            titles = [a["data"]["item"]["title"] for a in httpx.get(f"{demo}/alerts.json", timeout=5).json()]
            logs = {name: up.log_tail(name, 6) for name in ("ingest", "classify", "notify")}
            raise AssertionError(f"{exc}; alerts: {titles}; block output: {ran.stderr[-2000:]}; logs: {logs}") from None
        wait_for(lambda: bool(_caught_mail(demo)), 120, "acme's email alert in the demo's mail catcher")
        [mail] = _caught_mail(demo)
        assert mail["to"] == ["compliance@acme.example"]
        assert str(mail["list_unsubscribe"]).startswith(f"<{urls['NOTIFY']}/unsubscribe/"), mail

        def recipients() -> set[tuple[str, ...]]:
            return {tuple(m["to"]) for m in httpx.get(f"{demo}/mail.json", timeout=5).json()}

        # acme's email, and the demo's own ("Any CAC action, by email" to the demo member)
        wait_for(lambda: (DEMO_MEMBER,) in recipients(), 120, "the demo's own email alert")
        assert recipients() == {("compliance@acme.example",), (DEMO_MEMBER,)}
        page = httpx.get(demo, timeout=5).text
        shown = re.search(r"Mail caught — (\d+) message\(s\)", page)
        assert shown and int(shown.group(1)) >= 2 and "signature not checked" in page
    finally:
        up.stop()
