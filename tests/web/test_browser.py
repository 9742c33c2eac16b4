"""The public policy page in a real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from tests.web.live import CHROMIUM_ARGS, chromium_path, live_server
from tutela.config import Settings
from tutela.web.app import create_app


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # The page serves the policy in effect, read from the store: a fresh one.
    data = tmp_path_factory.mktemp("browser") / "tutela-data"
    with live_server(create_app(Settings(data=data))) as url:
        yield url


@pytest.mark.clause("rights.access.request")
def test_policy_page_shows_how_to_request_access(base_url: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base_url + "/#rights.access.request")
            assert (
                page.locator("h1").inner_text()
                == "Privacy Policy - Jive Communications"
            )
            clause = page.locator('[data-clause="rights.access.request"]')
            assert "“Subject Access Request”" in clause.inner_text()
            link = clause.locator("a")
            assert link.get_attribute("href") == "mailto:legal@jive.com"
            headings = page.locator("h3").all_inner_texts()
            assert "Access to personal information" in headings
            assert page.locator(".clause").count() == 52
        finally:
            browser.close()
