"""Every web error has one shape: the envelope on API paths, the error page elsewhere.

Clauses: secure.measures (an error never echoes what was sent, and an
unexpected failure says only that the server failed), rights.access.request
(the public form and API say which field to fix).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.web.live import app_client
from tutela.config import Settings
from tutela.logs import LogfmtFormatter
from tutela.store.db import Store
from tutela.web.app import create_app

PHONE = "+14155550123"
ENVELOPE = {"ok", "error", "errors", "status"}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


def envelope(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == ENVELOPE
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["errors"], list)
    return dict(body)


def error_page(response: Response, status: int, heading: str) -> str:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert f"<h1>{heading}</h1>" in response.text
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    return str(response.text)


@pytest.mark.clause("secure.measures")
@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"email": int(PHONE[1:])}, "body.email"),
        ({"email": "ann@example.com", "phone": PHONE}, "body.phone"),
        ({"email": "ann@example.com", PHONE: "call me"}, "body.<key>"),
        ({"phone": PHONE}, "body.email"),
    ],
)
def test_an_invalid_api_body_gets_422_naming_the_field_never_the_value(
    client: TestClient, body: dict[str, object], location: str
) -> None:
    response = client.post("/api/sar", json=body)
    found = envelope(response, 422)
    assert found["error"].startswith(f"invalid request: {location}: ")
    assert any(str(e).startswith(location) for e in found["errors"])
    assert PHONE[1:] not in response.text and "call me" not in response.text


def test_malformed_json_gets_the_envelope_without_the_text(client: TestClient) -> None:
    response = client.post(
        "/api/sar",
        content=f'{{"email": {PHONE}'.encode(),
        headers={"content-type": "application/json"},
    )
    found = envelope(response, 422)
    assert "JSON" in found["error"]
    assert PHONE[1:] not in response.text


def test_unknown_api_address_and_wrong_method_get_the_envelope(
    client: TestClient,
) -> None:
    missing = envelope(client.get(f"/api/people/{PHONE}"), 404)
    assert "nothing is at this address" in missing["error"]
    assert PHONE not in json.dumps(missing)
    wrong = client.delete("/api/sar")
    found = envelope(wrong, 405)
    assert wrong.headers["allow"] == "POST"
    assert found["error"] == "method DELETE is not allowed at this address; use POST"
    beacon = client.get("/collect")
    envelope(beacon, 405)


def test_unknown_page_and_wrong_method_get_the_error_page(client: TestClient) -> None:
    page = error_page(client.get(f"/people/{PHONE}"), 404, "Not found")
    assert PHONE not in page
    wrong = client.delete("/rights/access")
    assert "method DELETE is not allowed" in error_page(wrong, 405, "Not allowed")
    assert wrong.headers["allow"] == "GET"


@pytest.mark.clause("rights.access.request")
def test_an_invalid_form_post_gets_the_error_page_naming_the_field(
    client: TestClient,
) -> None:
    too_long = f"{PHONE}@example.com" + "x" * 400
    page = error_page(
        client.post("/rights/access", data={"email": too_long}), 422, "Not understood"
    )
    assert "body.email" in page and PHONE not in page
    # A missing field is no malformed post: the form comes back, naming it.
    empty = client.post("/rights/access", data={})
    assert empty.status_code == 400
    assert empty.headers["content-type"].startswith("text/html")
    assert "E-mail address: is not an e-mail address" in empty.text


def test_a_refusal_on_a_page_is_a_page_and_on_the_api_an_envelope(
    client: TestClient, store: Store
) -> None:
    unknown = client.get("/rights/download/" + "x" * 43)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert "no such download link" in unknown.text
    refused = client.get("/api/voicemails")
    envelope(refused, 401)
    assert refused.headers["www-authenticate"] == "Bearer"


@pytest.mark.clause("secure.measures")
def test_an_unexpected_error_says_only_that_the_server_failed(
    settings: Settings,
) -> None:
    app = create_app(settings)

    def fail() -> None:
        raise RuntimeError(f"lookup of {PHONE} failed")

    app.add_api_route("/api/fail", fail)
    app.add_api_route("/fail", fail)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = client.get("/api/fail")
        found = envelope(api, 500)
        assert found["error"].startswith("internal server error")
        page = error_page(client.get("/fail"), 500, "Error")
    assert PHONE not in api.text and PHONE not in page
    assert "RuntimeError" not in api.text and "RuntimeError" not in page


@pytest.mark.clause("secure.measures")
def test_a_500_shows_the_request_id_of_its_log_line_and_logs_no_personal_value(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings)

    def fail() -> None:
        raise RuntimeError(f"lookup of {PHONE} for ann@example.com failed")

    raised_on = fail.__code__.co_firstlineno + 1
    app.add_api_route("/api/fail", fail)
    app.add_api_route("/fail", fail)
    with (
        caplog.at_level(logging.INFO),
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        api = client.get("/api/fail")
        page = client.get("/fail")
    lines = [LogfmtFormatter().format(record) for record in caplog.records]
    for response, shown in ((api, envelope(api, 500)["error"]), (page, page.text)):
        request_id = response.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{16}", request_id)
        assert f"request id {request_id}" in shown
        logged = [line for line in lines if "event=web.error" in line]
        mine = [line for line in logged if f"request_id={request_id}" in line]
        assert len(mine) == 1, logged
        assert "level=error" in mine[0] and "error=RuntimeError" in mine[0]
        assert f"at=test_errors.py:{raised_on}" in mine[0] or (
            f"tests/web/test_errors.py:{raised_on}" in mine[0]
        )
    assert api.headers["x-request-id"] != page.headers["x-request-id"]
    everything = "\n".join(lines)
    assert PHONE not in everything and "ann@example.com" not in everything
    assert "lookup of" not in everything
