"""Anyone can see which versions of the policy were published and what each changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.changes.policies import add_recipient, write_variant
from tests.changes.test_publish import SUBSCRIBERS, publish, subscribe_all
from tests.web.live import app_client
from tutela.config import Settings
from tutela.store.db import Store


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


@pytest.mark.clause("changes.check_regularly")
def test_versions_are_listed_newest_first_with_what_changed(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    assert client.get("/api/policy/versions").json()["count"] == 0
    assert "No version published yet" in client.get("/policy/versions").text
    publish(store)
    subscribe_all(store, *SUBSCRIBERS)
    publish(store, write_variant(tmp_path, add_recipient))
    payload = client.get("/api/policy/versions").json()
    assert payload["count"] == 2
    newest, first = payload["versions"]
    assert newest["previous_version"] == first["version"]
    assert first["changes"] == []
    assert any(
        c["material"] and c["kind"] == "recipient_added" for c in newest["changes"]
    )
    # Who published and who was told stay internal.
    assert "published_by" not in newest and "announcements" not in newest
    assert not any(
        address in client.get("/policy/versions").text for address in SUBSCRIBERS
    )
    page = client.get("/policy/versions").text
    assert page.index(newest["version"]) < page.index("First published version")
    assert "material:" in page
