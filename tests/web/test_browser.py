"""The public policy page in a real Chromium."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from tutela.config import Settings
from tutela.web.app import create_app

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(Settings()), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is installed by `make test` (scripts/ensure-system-packages)"
    return path


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
