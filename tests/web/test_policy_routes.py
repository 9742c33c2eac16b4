"""The policy is published at the root of `tutela serve`."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tutela.config import Settings
from tutela.web.app import create_app


def client() -> TestClient:
    return TestClient(create_app(Settings()))


def test_policy_page_is_the_rendered_policy() -> None:
    response = client().get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Privacy Policy - Jive Communications" in response.text
    assert 'id="rights.access.request"' in response.text


def test_policy_api_lists_clauses_and_categories() -> None:
    payload = client().get("/api/policy").json()
    assert payload["ok"] is True
    assert len(payload["purposes"]) == 8
    assert any(c["id"] == "collect.service_use.voicemail" for c in payload["clauses"])


def test_markdown_variant() -> None:
    response = client().get("/policy.md")
    assert response.status_code == 200
    assert "### Access to personal information" in response.text


def test_unknown_route_is_404() -> None:
    assert client().get("/nope").status_code == 404
