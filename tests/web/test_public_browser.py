"""The public pages in a real Chromium: styled, linked, honest about the version served.

Clauses: rights.access.request (the request form asks what a request needs
and answers a mistake with a page saying what to fix),
changes.check_regularly and changes.effective_on_publication (the footer
names the version served and its effective date; a published version is
what the site serves; every version stays readable at its own address),
secure.measures (everything a page loads, Swagger UI included, comes from
the app itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.changes.policies import NEW_VERSION, add_recipient, write_variant
from tests.changes.test_publish import publish
from tests.web.live import CHROMIUM_ARGS, chromium_path, live_server
from tutela.config import Settings
from tutela.store.db import open_store
from tutela.web.app import create_app

SHIPPED_VERSION = "jive-2018-01-21"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    settings = Settings(data=tmp_path / "tutela-data")
    with live_server(create_app(settings)) as url:
        yield url, settings


@contextmanager
def open_page(requested: list[str]) -> Iterator[Page]:
    """A Chromium page that notes every URL it requests."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            yield page
        finally:
            browser.close()


@pytest.mark.clause("rights.access.request")
@pytest.mark.clause("secure.measures")
def test_the_policy_links_to_the_form_whose_errors_are_a_page(
    served: tuple[str, Settings],
) -> None:
    base_url, _ = served
    requested: list[str] = []
    with open_page(requested) as page:
        page.goto(base_url + "/policy")
        assert page.locator('meta[name="viewport"]').count() == 1
        # The stylesheet applies: the navigation is laid out as a flex row.
        nav = page.locator("nav.site")
        assert nav.evaluate("n => getComputedStyle(n).display") == "flex"
        for href in ("/rights/access", "/policy/versions", "/login"):
            assert page.locator(f'#policy-actions a[href="{href}"]').count() == 1
        assert page.locator('nav.site a[href="/login"]').count() == 1
        footer = page.locator("#site-footer").inner_text()
        assert f"Version {SHIPPED_VERSION}, effective 2018-01-21" in footer

        page.locator("#policy-actions a", has_text="Request a copy").click()
        page.wait_for_url("**/rights/access")
        form = page.locator("#access-form")
        for name in ("name", "email", "requested", "jurisdiction"):
            assert form.locator(f'[name="{name}"]').count() >= 1
        page.fill("#sar-name", "Ann Example")
        # A browser accepts this address; the server does not (no dot).
        page.fill("#sar-email", "ann@localhost")
        page.select_option("#sar-jurisdiction", "US-CA")
        page.locator("#access-form button[type=submit]").click()
        problems = page.locator("#form-problems")
        problems.wait_for()
        assert "E-mail address: is not an e-mail address" in problems.inner_text()
        assert "ann@localhost" not in page.content()  # never echoed back
        assert page.locator("#sar-jurisdiction").input_value() == "US-CA"
        assert "{" not in problems.inner_text()  # a page, not JSON

        page.fill("#sar-name", "Ann Example")
        page.fill("#sar-email", "ann@example.com")
        page.locator("#access-form button[type=submit]").click()
        page.locator("h1", has_text="Request received").wait_for()

        page.goto(base_url + "/api/docs")
        page.locator("#swagger-ui .information-container").wait_for(timeout=30000)
        assert "Tutela" in page.locator("#swagger-ui .title").inner_text()
    assert requested and all(url.startswith(base_url) for url in requested)


@pytest.mark.clause("changes.effective_on_publication")
@pytest.mark.clause("changes.check_regularly")
def test_the_site_serves_the_published_version_and_keeps_the_old_one(
    served: tuple[str, Settings], tmp_path: Path
) -> None:
    base_url, settings = served
    with open_store(settings) as store:
        publish(store)
        publish(store, write_variant(tmp_path, add_recipient))
    requested: list[str] = []
    with open_page(requested) as page:
        page.goto(base_url + "/")
        footer = page.locator("#site-footer").inner_text()
        assert f"Version {NEW_VERSION}, effective since " in footer
        assert page.locator("#earlier-version").count() == 0

        page.locator("nav.site a", has_text="Versions").click()
        page.wait_for_url("**/policy/versions")
        versions = page.locator("#versions > li")
        assert versions.count() == 2
        assert "material:" in versions.first.inner_text()
        page.locator(f'a[href="/policy/versions/{SHIPPED_VERSION}"]').click()
        page.wait_for_url(f"**/policy/versions/{SHIPPED_VERSION}")
        assert page.locator("#earlier-version").is_visible()
        old_footer = page.locator("#site-footer").inner_text()
        assert f"Version {SHIPPED_VERSION}, in effect from " in old_footer
        assert " until " in old_footer
        download = page.request.get(
            base_url + f"/policy/versions/{SHIPPED_VERSION}.yaml"
        )
        assert download.status == 200
        assert f"id: {SHIPPED_VERSION}" in download.text()
    assert all(url.startswith(base_url) for url in requested)
