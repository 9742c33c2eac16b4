"""The customer portal in a real Chromium: sign in, play a voicemail, delete it (after a confirmation), see it gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Request, sync_playwright

from tests.web.live import CHROMIUM_ARGS, chromium_path, live_server
from tests.web.portal_world import PASSWORD, World, build_world
from tutela.config import Settings
from tutela.store.blobs import BlobStore
from tutela.store.db import open_store
from tutela.store.models import Voicemail
from tutela.web.app import create_app


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Settings, World]]:
    settings = Settings(data=tmp_path / "tutela-data")
    store = open_store(settings)
    world = build_world(store, tmp_path / "spool")
    store.close()
    with live_server(create_app(settings)) as url:
        yield url, settings, world


@pytest.mark.clause("collect.service_use.voicemail")
def test_customer_admin_deletes_a_voicemail_from_the_portal(
    served: tuple[str, Settings, World],
) -> None:
    base_url, settings, world = served
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()

            def record(request: Request) -> None:
                requested.append(request.url)

            page.on("request", record)
            page.goto(base_url + "/portal")
            page.wait_for_url("**/login?next=/portal")
            page.fill("input[name=email]", "admin@acme.test")
            page.fill("input[name=password]", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url("**/portal")
            rows = page.locator("#voicemails tbody tr")
            assert rows.count() == 2
            target = page.locator(f'tr[data-voicemail="{world.acme_user_vm}"]')
            assert target.count() == 1
            # The recording plays in the page, fetched from this server only.
            player = target.locator("audio")
            assert player.count() == 1
            src = player.get_attribute("src")
            assert src == f"/portal/voicemails/{world.acme_user_vm}/audio"
            played = page.request.get(base_url + src)
            assert played.status == 200
            assert played.headers["content-type"].startswith("audio/")
            assert played.body()[:4] == b"RIFF"
            # Deleting asks first: the button appears only after "Delete…".
            confirm = target.locator("button", has_text="Delete for good")
            assert not confirm.is_visible()
            target.locator("summary", has_text="Delete").click()
            assert "cannot be recovered" in target.inner_text()
            confirm.click()
            page.wait_for_url("**/portal?done=deleted")
            assert "was deleted" in page.locator("#flash").inner_text()
            assert (
                page.locator(f'tr[data-voicemail="{world.acme_user_vm}"]').count() == 0
            )
            assert page.locator("#voicemails tbody tr").count() == 1
            cookies = {c["name"]: c for c in page.context.cookies()}
            session = cookies["tutela_session"]
            assert session["httpOnly"] and session["sameSite"] == "Lax"
        finally:
            browser.close()
    assert requested and all(url.startswith(base_url) for url in requested)
    store = open_store(settings, migrate=False)
    try:
        with store.session() as s:
            assert s.get(Voicemail, world.acme_user_vm) is None
            assert s.get(Voicemail, world.beta_vm) is not None
        blobs = list(BlobStore.in_data_dir(store.data_dir).root.rglob("*-*"))
        assert len(blobs) == 2
    finally:
        store.close()
