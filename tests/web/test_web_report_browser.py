"""The website report page and the collect snippet in a real Chromium."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Request, sync_playwright
from sqlalchemy import select

from tests.collect.weblog.test_ingest import ACCESS_LOG, ingest
from tests.web.live import CHROMIUM_ARGS, chromium_path, live_server
from tests.web.portal_world import PASSWORD
from tutela.auth.signin import add_user
from tutela.config import Settings
from tutela.store.db import open_store
from tutela.store.models import AdClick, WebVisit
from tutela.web.app import create_app

DESKTOP_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36"
)
LNA_FEATURES = "LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    settings = Settings(data=tmp_path / "tutela-data")
    store = open_store(settings)
    ingest(store, ACCESS_LOG)
    add_user(store, email="eng@staff.test", role="engineering", password=PASSWORD)
    store.close()
    with live_server(create_app(settings)) as url:
        yield url, settings


@pytest.mark.clause("use.purposes.improve_websites_and_ads")
def test_report_page_shows_the_chart_and_tables_without_external_requests(
    served: tuple[str, Settings],
) -> None:
    base_url, _ = served
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()

            def record(request: Request) -> None:
                requested.append(request.url)

            page.on("request", record)
            page.goto(base_url + "/console/web")
            # Staff only: sign in, and come back to the report.
            page.fill("input[name=email]", "eng@staff.test")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/console/web")
            assert page.locator("h1").inner_text() == "Website and ads report"
            assert page.locator("#total-views").inner_text() == "31"
            bars = page.locator("#views-chart rect.bar")
            assert bars.count() == 2
            box = bars.first.bounding_box()
            assert box is not None and box["height"] > 50  # really drawn
            assert page.locator("#views-chart rect.clicks").count() == 1
            pricing = page.locator("#pages tr", has_text="/pricing").first
            assert pricing.locator("td.n").first.inner_text() == "7"
            assert page.locator("#referrers").inner_text().count("www.google.com") == 1
            page.fill("input[name=since]", "2024-03-11")
            page.click("button[type=submit]")
            page.wait_for_url("**/console/web?since=2024-03-11*")
            assert page.locator("#total-views").inner_text() == "1"
        finally:
            browser.close()
    assert requested and all(url.startswith(base_url) for url in requested)


@pytest.mark.clause("collect.web_use.web_activity")
def test_collect_snippet_records_a_page_view_from_a_browser(
    served: tuple[str, Settings],
) -> None:
    base_url, settings = served
    with sync_playwright() as p:
        # Local test only: the page (localhost) and Tutela (127.0.0.1) are both
        # loopback, which Chromium's Local Network Access checks would block.
        args = [*CHROMIUM_ARGS, "--disable-features=" + LNA_FEATURES]
        browser = p.chromium.launch(executable_path=chromium_path(), args=args)
        try:
            # HeadlessChrome counts as a bot and is dropped; present as a person.
            page = browser.new_page(user_agent=DESKTOP_CHROME)
            # A page of one of our sites (served by the browser itself) with the snippet.
            origin = base_url.replace("127.0.0.1", "localhost")
            landing = origin + "/landing?utm_source=news&email=jane.doe%40example.com"
            page.route(
                lambda url: url.startswith(origin + "/landing"),
                lambda route: route.fulfill(
                    content_type="text/html",
                    body=f'<html><body><script src="{base_url}/collect.js"></script>'
                    "</body></html>",
                ),
            )
            # Let the server open (and migrate) its store before the beacon comes.
            assert page.request.get(base_url + "/api/policy/versions").ok
            # Migrated by the fixture; Alembic is not thread-safe beside the server.
            store = open_store(settings, migrate=False)
            try:
                visit, click = None, []
                # Headless Chromium now and then drops a keepalive beacon before
                # it leaves the browser: load the page again (at most 3 times).
                for _ in range(3):
                    with page.expect_request(base_url + "/collect") as beacon:
                        page.goto(landing)
                    assert beacon.value.method == "POST"
                    deadline = time.monotonic() + 5
                    while visit is None and time.monotonic() < deadline:
                        time.sleep(0.1)
                        with store.session() as s:
                            visit = s.scalars(
                                select(WebVisit).where(WebVisit.site == "localhost")
                            ).one_or_none()
                            click = list(s.scalars(select(AdClick)))
                    if visit is not None:
                        break
            finally:
                store.close()
        finally:
            browser.close()
    assert visit is not None
    assert visit.page == "/landing" and visit.ip_truncated == "127.0.0.0/24"
    assert [(c.source, c.site) for c in click if c.site == "localhost"] == [
        ("news", "localhost")
    ]
