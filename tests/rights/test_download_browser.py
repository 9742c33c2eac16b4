"""The export download page in a real Chromium: opening it spends nothing, the button does.

Clause: rights.access. What a mail scanner does (fetch the link) and what
the subject does (open it, press the button, save the zip) in one browser.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.rights.conftest import OnFile
from tests.rights.test_abuse_download_links import exported_link, link_spent
from tests.web.live import CHROMIUM_ARGS, chromium_path, live_server
from tutela.config import Settings
from tutela.store.db import Store
from tutela.web.app import create_app


@pytest.mark.clause("rights.access")
def test_the_download_button_releases_the_zip_once(
    store: Store, settings: Settings, ann: OnFile, tmp_path: Path
) -> None:
    link = exported_link(store, settings)
    with (
        live_server(create_app(settings)) as base,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            opened = page.goto(base + link.path)
            assert opened is not None and opened.status == 200
            assert page.locator("h1").inner_text() == "Download your data"
            assert not link_spent(store, link.token)  # looking spent nothing
            with page.expect_download() as pending:
                page.locator("#download").click()
            saved = tmp_path / pending.value.suggested_filename
            pending.value.save_as(saved)
            assert saved.suffix == ".zip"
            assert "data.json" in zipfile.ZipFile(saved).namelist()
            assert link_spent(store, link.token)

            again = page.goto(base + link.path)
            assert again is not None and again.status == 410
            assert "already been used" in page.locator("#download-problem").inner_text()
            assert page.locator("#download").count() == 0
        finally:
            browser.close()
