"""`regalerts up --demo` — what `make run` starts — shows the seed story's alert on its receiver page."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from services.cli.demo_setup import DEMO_SUBSCRIPTIONS
from tests.e2e.peers import wait_for
from tests.e2e.up_process import UpProcess

pytestmark = pytest.mark.e2e

SEED_TITLE = "La Chine convoque des entreprises technologiques sur la sécurité des logiciels vocaux"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def up(tmp_path: Path) -> Iterator[UpProcess]:
    running = UpProcess(tmp_path / "var")
    try:
        yield running
    finally:
        running.stop()


def _alerts(page_url: str) -> list[dict[str, object]]:
    alerts: list[dict[str, object]] = httpx.get(f"{page_url}alerts.json", timeout=5).json()
    return alerts


def _seed_alerts(page_url: str) -> list[dict[str, object]]:
    return [a for a in _alerts(page_url) if json.dumps(a, ensure_ascii=False).count(SEED_TITLE)]


def test_make_run_shows_the_seed_story_alert_in_a_browser(up: UpProcess, tmp_path: Path) -> None:
    wait_for(lambda: up.page_url() is not None or up.process.poll() is not None, 180, "the demo page URL")
    page_url = up.page_url()
    assert page_url, up.output()
    assert '"level": "INFO"' not in up.output(), "the console shows up's summary, not routine log records"
    # Two of the demo subscriptions watch it ("ByteDance", "any CAC action"); "SEC fines" does not.
    wait_for(lambda: len(_seed_alerts(page_url)) >= 2, 180, "the seed story's alerts on the demo page")
    subscriptions = {a["data"]["subscription_id"] for a in _seed_alerts(page_url)}  # type: ignore[index]
    assert len(subscriptions) == 2

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_url)
            headline = page.get_by_text(SEED_TITLE).first
            headline.wait_for(timeout=10_000)
            card = page.locator(".alert", has_text=SEED_TITLE).first
            tags = card.locator(".tag").all_inner_texts()
            gist = card.locator(".gist").inner_text()
            why = card.locator(".why").first.inner_text()
            page.screenshot(path=str(tmp_path / "demo.png"), full_page=True)
        finally:
            browser.close()
    assert any(tag.startswith("CAC") for tag in tags), tags
    assert any(tag.startswith("summons") for tag in tags), tags
    assert {"Tencent", "Alibaba", "ByteDance"} <= {tag.split(" ")[0] for tag in tags}, tags
    assert gist.startswith("CAC (China) summoned") and "ByteDance" in gist, gist  # the English gist
    assert why.startswith("Why: "), why  # the filter values that hit, with their evidence
    assert (tmp_path / "var" / "demo-tenant.json").stat().st_mode & 0o077 == 0
    _web_app_shows_the_seed_story(up)

    up.process.send_signal(signal.SIGINT)
    assert up.process.wait(timeout=60) == 0, up.output()
    assert "RegAlerts stopped." in up.output()


def _web_app_shows_the_seed_story(up: UpProcess) -> None:
    """The demo member signs in through the printed link; the seed story is in the inbox with its evidence
    highlighted, and its deliveries are on its page: two webhooks and the email the demo's SMTP server caught."""
    link = up.signin_link()
    assert link, up.output()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(link)
            page.get_by_role("button", name="Sign in").click()
            page.locator(".item-row .item-title a", has_text=SEED_TITLE).first.click()
            expect(page.locator("mark.ev.regulator").first).to_be_visible()
            expect(page.locator("mark.ev.action").first).to_be_visible()
            rows = page.locator("table.deliveries tbody tr", has_text="delivered")
            for _ in range(60):  # the deliveries topic reaches the web app's read model within seconds
                if rows.count() >= 3:
                    break
                page.wait_for_timeout(1000)
                page.reload()
            expect(rows).to_have_count(3)
            expect(rows.filter(has_text="email")).to_have_count(1)
            rows.filter(has_text="email").get_by_role("link").click()  # that subscription's deliveries
            expect(page.locator("table.deliveries .status").first).to_have_text("delivered")
            page.get_by_role("link", name="Feeds").click()  # the demo member operates the demo's feeds
            for title in ("Demo wire", "Demo regulator"):
                expect(page.locator("tr", has_text=title).locator(".state")).to_have_text("OK")
        finally:
            browser.close()


def test_up_survives_its_broker_dying_and_a_restart_on_the_same_var(tmp_path: Path) -> None:
    var = tmp_path / "var"
    first = UpProcess(var)
    try:
        wait_for(lambda: first.page_url() is not None or first.process.poll() is not None, 180, "the demo page")
        assert first.page_url(), first.output()
        port = re.search(r"broker\s+embedded, 127\.0\.0\.1:(\d+)", first.output())
        assert port, first.output()
        pids = subprocess.run(
            ["pgrep", "-f", f"tcp://127.0.0.1:{port.group(1)}"], capture_output=True, text=True, check=True
        ).stdout.split()
        for pid in pids:
            os.kill(int(pid), signal.SIGKILL)
        wait_for(lambda: "services restarted" in first.output(), 120, "the broker and services restarted")
        for url in first.service_urls().values():
            assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200
        tenant = json.loads((var / "demo-tenant.json").read_text())
    finally:
        first.process.send_signal(signal.SIGINT)
        assert first.process.wait(timeout=60) == 0, first.output()

    second = UpProcess(var)
    try:
        wait_for(lambda: second.page_url() is not None or second.process.poll() is not None, 180, "the demo page")
        assert second.page_url(), second.output()
        assert json.loads((var / "demo-tenant.json").read_text()) == tenant  # the same demo tenant, taken over
        notify = second.service_urls()["notify"]
        listed = httpx.get(f"{notify}/v1/subscriptions", headers={"Authorization": f"Bearer {tenant['api_key']}"})
        assert sorted(s["name"] for s in listed.json()) == sorted(s["name"] for s in DEMO_SUBSCRIPTIONS)
    finally:
        second.process.send_signal(signal.SIGINT)
        assert second.process.wait(timeout=60) == 0, second.output()
