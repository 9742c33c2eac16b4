"""The whole officer flow in a real Chromium, without the CLI; screenshots and axe-core.

Clauses: rights.access (intake -> verify -> decide -> preview -> release ->
the requester's single download), rights.access.verification (the officer
checks the code the requester got at the address on file), secure.measures
(sign-in, anti-forgery tokens in every form, the pages pass axe-core with no
serious or critical violation). The screenshots of the main pages are the
ones the README's tour shows (docs/screenshots/, viewport 1280x800); `make
screenshots` writes them there.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, ViewportSize, sync_playwright

from tests.rights.conftest import Sink
from tests.web.console_world import (
    ANN,
    OFFICER,
    PASSWORD,
    ann_asks,
    code_sent,
    staff_and_ann,
)
from tests.web.live import CHROMIUM_ARGS, chromium_path, live_server
from tutela.config import Settings
from tutela.rights.cases import show_case
from tutela.store.db import Store
from tutela.web.app import create_app

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
SERIOUS = ("serious", "critical")
PNG = b"\x89PNG\r\n\x1a\n"


def accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page."""
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert not bad, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} node(s)" for v in bad
    )


def shot(page: Page, name: str, keep: bool) -> None:
    """Take the page's screenshot; write it to docs/ under `make screenshots`.

    Written only on request, so that a test run leaves the checkout as it was.
    """
    image = page.screenshot()
    assert image.startswith(PNG) and len(image) > 1000, f"{name}: no screenshot"
    if keep and os.environ.get("TUTELA_WRITE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.png").write_bytes(image)


@pytest.mark.clause("rights.access")
@pytest.mark.clause("rights.access.verification")
def test_an_officer_answers_a_request_in_the_browser_alone(
    store: Store, mail_settings: Settings, sink: Sink, tmp_path: Path
) -> None:
    staff_and_ann(store)
    case_id = ann_asks(store, mail_settings)  # Ann's e-mail arrives: intake
    code = code_sent(store)  # ... and she reads the code in her mailbox
    ref = show_case(store, case_id).ref
    keep = mail_settings.database_url is None  # one backend writes the images
    with live_server(create_app(mail_settings)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(base + "/console/sar")
            page.fill("input[name=email]", OFFICER)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/console/sar")
            assert ref in page.locator("#cases").inner_text()
            accessible(page)
            shot(page, "console-queue", keep)

            page.click(f"text={ref}")
            assert page.locator("#requester").inner_text() == ANN
            assert "Ann Example" in page.locator("#people").inner_text()
            assert page.locator("#case-state").inner_text() == "verifying"
            accessible(page)
            shot(page, "console-case", keep)

            page.fill("#code", code)
            page.click("#check-code")
            assert page.locator("#case-state").inner_text() == "verified"
            assert "email_code" in page.locator("#verification").inner_text()

            page.click("#preview")
            assert "Ann Example" in page.locator("main").inner_text()
            files = page.locator("#files li").all_inner_texts()
            assert "data.json" in files and "report.html" in files
            accessible(page)
            shot(page, "console-preview", keep)

            page.click("#release")
            assert page.locator("#case-state").inner_text() == "fulfilled"
            assert "released" in page.locator("#flash").inner_text()

            for path, name in (
                ("/console/audit/entries?action=sar.", "console-audit"),
                ("/console/datamap", "console-datamap"),
                ("/console/ledger", None),
                ("/console/ingest", None),
                ("/console/users", "console-users"),
                ("/console/inbox", None),
                ("/console/subscriptions", None),
            ):
                page.goto(base + path)
                accessible(page)
                if name:
                    shot(page, name, keep)

            # The requester: the link from her mail, the button, one zip.
            (mail,) = [
                m
                for m in sink.to(ANN)
                if ref in str(m["Subject"])
                and "personal information" in str(m["Subject"])
            ]
            body = mail.get_body(("plain",))
            assert body is not None
            token = str(body.get_content()).split("/rights/download/")[1].split()[0]
            requester = browser.new_page(accept_downloads=True)
            requester.goto(f"{base}/rights/download/{token}")
            with requester.expect_download() as pending:
                requester.locator("#download").click()
            saved = tmp_path / pending.value.suggested_filename
            pending.value.save_as(saved)
            assert set(files) == set(zipfile.ZipFile(saved).namelist())
            again = requester.goto(f"{base}/rights/download/{token}")
            assert again is not None and again.status == 410
        finally:
            browser.close()


def test_the_accessibility_check_catches_a_serious_violation() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(
                '<html lang="en"><title>t</title><main><img src="x.png">'
                "<button></button></main></html>"
            )
            with pytest.raises(AssertionError, match="image-alt|button-name"):
                accessible(page)
        finally:
            browser.close()
