"""The journey in a real browser (Debian's Chromium driven by Playwright): sign in through the emailed
link caught by a real SMTP server, search in French and Chinese, open an item and see its evidence
highlighted, sign out. Screenshots of each page go to docs/web/ for docs/web.md."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from tests.conftest import REPO_ROOT
from tests.ingest.conftest import Reply, item, rss
from tests.notify.conftest import Receiver, wait_for
from tests.web.conftest import CHINESE, ENGLISH, FRENCH, FeedsStack, Stack, TenantsStack, WebApp, served_web_app
from tests.web.test_pages import _deliver

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# docs/web.md's screenshots are rewritten only when asked (REGALERTS_UPDATE_SCREENSHOTS=1), so that a test
# run leaves the checkout as it was; otherwise they go to a temporary folder.
SCREENSHOTS = REPO_ROOT / "docs" / "web"
UPDATE_SCREENSHOTS = os.environ.get("REGALERTS_UPDATE_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the module."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def mailed_web(sqlite_web_engine: Engine, smtp: tuple[int, Any]) -> Iterator[tuple[WebApp, Any]]:
    """The app sending sign-in links through the test SMTP server, with three items."""
    port, mailbox = smtp
    with served_web_app(sqlite_web_engine, web_smtp_host="127.0.0.1", web_smtp_port=port) as web:
        web.settings.web_public_url = web.url
        web.record(FRENCH, CHINESE, ENGLISH)
        _deliver(web, "zh-1", "tn_acme")
        yield web, mailbox


def _shot(page: Page, name: str) -> None:
    folder = SCREENSHOTS if UPDATE_SCREENSHOTS else Path(tempfile.gettempdir()) / "regalerts-web-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    assert (folder / f"{name}.png").stat().st_size > 0


def _signed_in(browser: Browser, web: WebApp, *, width: int, height: int) -> Page:
    """A page of alice's, signed in through a link."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{web.url}/signin/{web.link(web.alice)}")
    page.get_by_role("button", name="Sign in").click()
    return page


def _emailed_link(mailbox: Any, count: int) -> str:
    wait_for(lambda: len(mailbox.messages) >= count, "the sign-in email")
    recipients, message = mailbox.messages[count - 1]
    assert recipients == ["alice@acme.example"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"(http://\S+/signin/\S+)", body)
    assert match, body
    return match.group(1)


def test_journey_with_the_keyboard(browser: Browser, mailed_web: tuple[WebApp, Any]) -> None:
    web, mailbox = mailed_web
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{web.url}/")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2F$"))
    _shot(page, "signin")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    page.keyboard.press("Tab")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type("alice@acme.example")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")

    link = _emailed_link(mailbox, 1)
    page.goto(link)
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.locator(".item-row")).to_have_count(3)
    expect(page.locator(".item-row.matched")).to_have_count(1)
    _shot(page, "inbox")

    page.goto(link)  # the link works once
    expect(page.get_by_role("alert")).to_contain_text("already been used")
    page.goto(f"{web.url}/")

    page.locator("#q").focus()
    page.keyboard.type("amende")
    page.keyboard.press("Enter")
    expect(page.locator(".item-row")).to_have_count(1)
    expect(page.locator(".item-row")).to_contain_text("CNIL inflige une amende")

    page.locator("#q").fill("罚款")
    page.keyboard.press("Enter")
    expect(page.locator(".item-row")).to_have_count(1)
    title = page.locator(".item-row .item-title a")
    expect(title).to_contain_text("腾讯")
    title.focus()
    page.keyboard.press("Enter")

    expect(page.locator("mark.ev.action")).to_contain_text("罚款")
    expect(page.locator("mark.ev.company")).to_contain_text("腾讯")
    expect(page.locator("mark.ev.regulator")).to_contain_text("国家市场监督管理总局")
    expect(page.locator("table.deliveries")).to_contain_text("delivered")
    _shot(page, "item")

    page.goto(f"{web.url}/account")
    expect(page.locator("tbody tr")).to_have_count(1)
    _shot(page, "account")
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.goto(f"{web.url}/")
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.close()


def test_a_second_tenant_sees_none_of_the_firsts_deliveries(browser: Browser, mailed_web: tuple[WebApp, Any]) -> None:
    web, _ = mailed_web
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{web.url}/signin/{web.link(web.bob)}")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".item-row")).to_have_count(3)
    expect(page.locator(".item-row.matched")).to_have_count(0)
    page.locator(".item-row .item-title a", has_text="腾讯").click()
    expect(page.get_by_text("None of my subscriptions matched this item.")).to_be_visible()
    context.close()


def test_subscription_with_autocomplete_preview_and_retry(browser: Browser, stack: Stack, receiver: Receiver) -> None:
    web = stack.web
    page = _signed_in(browser, web, width=1280, height=1000)
    page.get_by_role("link", name="Subscriptions").click()
    page.get_by_role("link", name="New subscription").click()
    page.get_by_label("Name").fill("Tencent fines")
    companies = page.get_by_label("Companies")
    companies.focus()
    page.keyboard.type("腾讯")
    expect(companies).to_have_attribute("data-suggestions", re.compile(r"[1-9]"))
    expect(page.locator("#f-companies-options option").first).to_have_attribute("value", "tencent")
    companies.fill("tencent")  # what choosing the suggestion enters
    page.get_by_label("fine", exact=True).check()
    page.get_by_label("Webhook URL").fill(receiver.url + "/hook")
    page.get_by_role("button", name="Preview the last 30 days").click()
    expect(page.locator("#preview-count")).to_contain_text("1 item in the last 30 days")
    expect(page.locator(".preview-list")).to_contain_text("腾讯")
    _shot(page, "subscription-form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#secret")).to_contain_text("whsec_")
    page.get_by_role("button", name="Send a test").click()
    expect(page.locator("#test-outcome")).to_contain_text("Test alert delivered (HTTP 200)")
    _shot(page, "subscriptions")

    receiver.answer("/hook", 500, 500, 500, 500)
    stack.notify.intake.ingest(CHINESE)
    wait_for(lambda: any(a.outcome == "dead" for a in stack.notify.published), "the delivery to give up")
    page.get_by_role("link", name="Deliveries").click()
    expect(page.locator("table.deliveries")).to_contain_text("dead")
    expect(page.locator("table.deliveries")).to_contain_text("HTTP 500")
    _shot(page, "deliveries")
    page.get_by_role("button", name="Retry now").click()
    wait_for(lambda: any(a.outcome == "delivered" for a in stack.notify.published), "the retry")
    page.reload()
    expect(page.locator("table.deliveries .status")).to_have_text("delivered")
    page.close()


def _accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page (axe.min.js from the pinned
    axe-playwright-python wheel, injected into the page)."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_page_has_a_serious_accessibility_violation(browser: Browser, stack: Stack, receiver: Receiver) -> None:
    web = stack.web
    page = browser.new_page()
    problems: dict[str, list[str]] = {}
    page.goto(f"{web.url}/signin")
    problems["signin"] = _accessibility_problems(page)
    page.goto(f"{web.url}/signin?next=/x")
    page.get_by_label("Work email").fill("nobody")
    page.get_by_role("button", name="Email me a sign-in link").click()
    problems["signin with an error"] = _accessibility_problems(page)
    page.goto(f"{web.url}/signin/{web.link(web.alice)}")
    problems["confirm"] = _accessibility_problems(page)
    page.get_by_role("button", name="Sign in").click()
    client = web.signed_in(web.alice)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/subscriptions/new").text)
    assert csrf
    client.post("/subscriptions/new", data={"csrf_token": csrf.group(1), "name": "CAC", "channel": "webhook",
                                             "url": receiver.url + "/h", "intent": "save", "mode": "instant"})  # fmt: skip
    stack.notify.intake.ingest(CHINESE)
    pk = re.search(r'href="/items/(\d+)"', client.get("/", params={"q": "罚款"}).text)
    assert pk
    for name, path in [
        ("inbox", "/"),
        ("inbox filtered", "/?q=amende&since=bad"),
        ("item", f"/items/{pk.group(1)}"),
        ("subscriptions", "/subscriptions"),
        ("new subscription", "/subscriptions/new"),
        ("account", "/account"),
        ("watchlist", "/watchlists"),
        ("not found", "/items/999999"),
    ]:
        page.goto(f"{web.url}{path}")
        problems[name] = _accessibility_problems(page)
    page.goto(f"{web.url}/subscriptions")
    page.get_by_role("link", name="Deliveries").click()
    problems["deliveries"] = _accessibility_problems(page)
    page.goto(f"{web.url}/subscriptions/new")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save").click()
    problems["subscription form with errors"] = _accessibility_problems(page)
    page.close()
    assert not {name: found for name, found in problems.items() if found}


def test_an_operator_adds_a_feed_after_its_preview(browser: Browser, feeds_stack: FeedsStack) -> None:
    web, site = feeds_stack.web, feeds_stack.site
    good = site.serve("/wire.xml", Reply(200, rss([item(1), item(2), item(3)])))
    gone = site.serve("/gone.xml", Reply(404, b"nothing here"))
    page = _signed_in(browser, web, width=1280, height=900)
    problems: dict[str, list[str]] = {}
    page.get_by_role("link", name="Feeds").click()
    expect(page.get_by_role("heading", name="Feeds")).to_be_visible()
    problems["feeds, empty"] = _accessibility_problems(page)
    page.get_by_role("link", name="Add a feed").click()
    page.get_by_label("Address").fill(gone)
    page.get_by_role("button", name="Add feed").click()
    expect(page.locator("#f-url-error")).to_contain_text("HTTP 404")
    problems["feed form with an error"] = _accessibility_problems(page)
    page.get_by_label("Add it anyway").check()
    page.get_by_label("Title").fill("Gone wire")
    page.get_by_role("button", name="Add feed").click()
    expect(page.locator("#feed-notice")).to_contain_text("Added “Gone wire”")

    page.get_by_role("link", name="Add a feed").click()
    page.get_by_label("Address").fill(good)
    page.get_by_label("Jurisdiction").fill("FR")
    page.get_by_role("button", name="Preview its items").click()
    expect(page.locator("#preview-count")).to_contain_text("“Test wire”: 3 items")
    expect(page.locator(".preview-list li")).to_have_count(3)
    problems["feed form with a preview"] = _accessibility_problems(page)
    _shot(page, "feed-form")
    page.get_by_role("button", name="Add feed").click()
    expect(page.locator("#feed-notice")).to_contain_text("Added “Test wire”: 3 items found")
    good_row = page.locator("tr", has_text="Test wire")
    expect(good_row.locator(".state")).to_have_text("OK")
    expect(good_row.locator("td.num")).to_have_text("3")
    gone_row = page.locator("tr", has_text="Gone wire")
    expect(gone_row.locator(".state")).to_have_text("last poll failed")
    expect(gone_row.locator(".feed-error")).to_contain_text("The site refused the request (HTTP 404, not found).")
    problems["feeds"] = _accessibility_problems(page)
    _shot(page, "feeds")

    page.get_by_role("link", name="Catalog").click()
    page.locator("input[name=url]").first.check()
    page.get_by_role("button", name="Add the ticked feeds").click()
    expect(page.locator("#catalog-report")).to_contain_text("1 added")
    problems["catalog"] = _accessibility_problems(page)
    _shot(page, "catalog")
    page.close()
    assert not {name: found for name, found in problems.items() if found}


def test_an_api_key_is_created_shown_once_and_revoked(browser: Browser, stack: Stack) -> None:
    web = stack.web
    page = _signed_in(browser, web, width=1280, height=800)
    page.get_by_role("link", name="API keys").click()
    problems = {"api keys": _accessibility_problems(page)}
    page.get_by_role("button", name="Create a key").click()
    expect(page.locator("#f-name-error")).to_be_visible()
    problems["api keys with an error"] = _accessibility_problems(page)
    page.get_by_label("Name").fill("SIEM export")
    page.get_by_role("button", name="Create a key").click()
    expect(page.locator("#new-key")).to_contain_text("rak_")
    key = page.locator("#new-key").inner_text()
    row = page.locator("tr", has_text="SIEM export")
    expect(row.locator("code")).to_have_text(key[:12] + "…")
    expect(page.locator("tr", has_text="used by this web app").get_by_role("button")).to_have_count(0)
    problems["api keys with a new key"] = _accessibility_problems(page)
    _shot(page, "api-keys")
    row.get_by_role("button", name="Revoke SIEM export").click()
    expect(page.locator("tr", has_text="SIEM export").locator(".status")).to_have_text("revoked")
    expect(page.locator("#new-key")).to_have_count(0)  # shown once
    page.close()
    assert not {name: found for name, found in problems.items() if found}


def test_a_watchlist_entity_is_edited_in_place(browser: Browser, stack: Stack) -> None:
    web = stack.web
    page = _signed_in(browser, web, width=1280, height=700)
    page.get_by_role("link", name="Watchlist").click()
    page.get_by_label("Name", exact=True).fill("Initech")
    page.get_by_label("Aliases", exact=True).fill("Initech AG")
    page.get_by_role("button", name="Add").click()
    page.get_by_label("Name", exact=True).fill("Globex")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("link", name="Edit Initech").click()
    row = page.locator("tr.editing")
    aliases = row.get_by_label("Aliases")
    expect(aliases).to_have_value("Initech AG")
    _shot(page, "watchlists")
    aliases.fill("")
    row.get_by_label("Name").fill("")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#e-name-error")).to_be_visible()
    problems = {"watchlist with an error in a row": _accessibility_problems(page)}
    row.get_by_label("Name").fill("Initech Group")
    row.get_by_label("Aliases").fill("Initech AG, 英泰克")
    row.get_by_label("Kind").select_option("product")
    problems["watchlist editing a row"] = _accessibility_problems(page)
    row.get_by_role("button", name="Save").click()
    expect(page.locator("tr", has_text="Initech Group")).to_contain_text("Initech AG, 英泰克")
    expect(page.locator("tr", has_text="Initech Group")).to_contain_text("product")
    expect(page.locator("tr.editing")).to_have_count(0)
    page.close()
    assert not {name: found for name, found in problems.items() if found}


def test_an_operator_creates_a_tenant_and_adds_its_first_member(browser: Browser, tenants_stack: TenantsStack) -> None:
    web = tenants_stack.web
    page = _signed_in(browser, web, width=1280, height=900)
    problems: dict[str, list[str]] = {}
    page.get_by_role("link", name="Tenants").click()
    expect(page.get_by_role("heading", name="Tenants", exact=True)).to_be_visible()
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#f-name-error")).to_have_text("Give the tenant a name.")
    problems["tenants with an error"] = _accessibility_problems(page)
    page.get_by_label("Name").fill("initech")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#tenant-notice")).to_contain_text("Tenant “initech” created")
    page.get_by_label("Email address").fill("peter@initech.example")
    page.get_by_label("Tenant", exact=True).select_option(label="initech")
    page.get_by_label("Operator").check()
    page.get_by_role("button", name="Add and send a sign-in link").click()
    expect(page.locator("#tenant-notice")).to_contain_text("peter@initech.example is an operator of initech")
    expect(page.locator("tr", has_text="initech").locator("td.num")).to_have_text("1")
    problems["tenants"] = _accessibility_problems(page)
    _shot(page, "tenants")
    page.close()
    wait_for(lambda: len(tenants_stack.mailbox.messages) == 1, "the sign-in email")
    assert tenants_stack.mailbox.messages[0][0] == ["peter@initech.example"]
    assert not {name: found for name, found in problems.items() if found}
