"""The policy is published at the root of `tutela serve`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.web.live import app_client
from tutela.config import Settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # The policy in effect comes from the store: each test gets its own.
    with app_client(settings) as test_client:
        yield test_client


def test_policy_page_is_the_rendered_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Privacy Policy - Jive Communications" in response.text
    assert 'id="rights.access.request"' in response.text


def test_policy_api_lists_clauses_and_categories(client: TestClient) -> None:
    payload = client.get("/api/policy").json()
    assert payload["ok"] is True
    assert len(payload["purposes"]) == 8
    assert any(c["id"] == "collect.service_use.voicemail" for c in payload["clauses"])


def test_markdown_variant(client: TestClient) -> None:
    response = client.get("/policy.md")
    assert response.status_code == 200
    assert "### Access to personal information" in response.text


def test_unknown_route_is_404(client: TestClient) -> None:
    assert client.get("/nope").status_code == 404
