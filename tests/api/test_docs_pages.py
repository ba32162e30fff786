"""The API docs pages render their operations in Chromium with every request off this machine refused."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, sync_playwright

from tests.api.conftest import Served
from tests.e2e.test_demo import CHROMIUM, CHROMIUM_ARGS


def _render(url: str, selector: str, screenshot: Path) -> tuple[list[str], list[str]]:
    """The texts ``selector`` matches once the page has rendered, and the off-machine requests it tried."""
    refused: list[str] = []

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.route("**/*", local_only)
            page.goto(url)
            page.locator(selector).first.wait_for(timeout=20_000)
            texts = page.locator(selector).all_inner_texts()
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    return texts, refused


@pytest.mark.parametrize(("page", "selector"), [("/docs", ".opblock-summary-path"), ("/redoc", "[data-section-id]")])
def test_the_docs_page_renders_the_operations_offline(
    notify_api: Served, page: str, selector: str, tmp_path: Path
) -> None:
    texts, refused = _render(f"{notify_api.url}{page}", selector, tmp_path / "page.png")
    assert refused == []
    assert any("/v1/subscriptions" in text or "subscription" in text.lower() for text in texts), texts[:20]
