"""Hostile requests get a clear 4xx, never a 500; every answer carries the
security headers; an unexpected failure says only that the server failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.live import app_client
from tutela.config import Settings
from tutela.web._headers import SECURITY_HEADERS
from tutela.web.app import create_app

pytestmark = pytest.mark.clause("secure.measures")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    # Nothing here depends on the database kind: SQLite only.
    with app_client(
        Settings(data=tmp_path / "data"), raise_server_exceptions=False
    ) as test_client:
        yield test_client


def _assert_secured(headers: dict[str, str] | object) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers[name.lower()] == value, name  # type: ignore[index]


@pytest.mark.parametrize("depth", [1500, 2000])
def test_deeply_nested_json_beacon_is_a_400(client: TestClient, depth: int) -> None:
    response = client.post("/collect", content="[" * depth + "]" * depth)
    assert response.status_code == 400
    assert "nested" in response.json()["error"]


def test_deeply_nested_json_in_an_object_is_a_400(client: TestClient) -> None:
    body = '{"path": ' + "[" * 1800 + "]" * 1800 + "}"
    response = client.post("/collect", content=body)
    assert response.status_code == 400


def test_a_non_ascii_csrf_field_is_refused_not_a_500(client: TestClient) -> None:
    client.get("/login")  # the pre-session cookie the form's token is bound to
    response = client.post(
        "/login",
        data={"email": "pat@example.com", "password": "x", "csrf": "é" * 10},
        follow_redirects=False,
    )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/login"),
        ("GET", "/policy/versions"),
        ("GET", "/collect.js"),
        ("POST", "/collect"),
        ("GET", "/api/voicemails"),
        ("GET", "/console"),
        ("GET", "/no-such-page"),
    ],
)
def test_every_answer_carries_the_security_headers(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path, follow_redirects=False)
    _assert_secured(response.headers)


def test_an_unexpected_failure_is_a_bare_500_with_the_headers(tmp_path: Path) -> None:
    app = create_app(Settings(data=tmp_path / "data"))

    def explode() -> None:
        raise ValueError("pat@example.com +14155550101")

    app.add_api_route("/api/explode", explode)
    app.add_api_route("/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/explode")
        page = client.get("/explode")
    assert page.status_code == 500 and page.headers["content-type"].startswith(
        "text/html"
    )
    assert "example.com" not in page.text and "4155550101" not in page.text
    _assert_secured(page.headers)
    assert response.status_code == 500
    # Only that the server failed, and the request id its log line carries.
    request_id = response.headers["x-request-id"]
    assert response.json() == {
        "ok": False,
        "error": "internal server error: the server failed; try again later "
        f"(request id {request_id})",
        "errors": [],
        "status": 500,
    }
    assert "example.com" not in response.text and "4155550101" not in response.text
    _assert_secured(response.headers)
