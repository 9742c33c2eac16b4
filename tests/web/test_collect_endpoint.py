"""POST /collect and GET /collect.js: beacons stored like log lines, never echoing the IP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.live import app_client
from tutela.config import Settings
from tutela.store.db import Store, open_store
from tutela.store.models import AdClick, WebVisit
from tutela.web.routes.collect import MAX_BODY_BYTES, client_address

VISITOR = "203.0.113.9"
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0"
)
LANDING = "/pricing?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=EAIaIQ"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with app_client(
        settings, client=(VISITOR, 50123), headers={"User-Agent": BROWSER}
    ) as test_client:
        yield test_client


def stored(client: TestClient) -> tuple[list[WebVisit], list[AdClick]]:
    state = client.app.state  # type: ignore[attr-defined]
    if getattr(state, "web_store", None) is None:
        state.web_store = open_store(state.settings)
    store: Store = state.web_store
    with store.session() as s:
        return list(s.scalars(select(WebVisit))), list(s.scalars(select(AdClick)))


def beacon(client: TestClient, body: object, **headers: str) -> tuple[int, str]:
    response = client.post("/collect", content=json.dumps(body), headers=headers)
    return response.status_code, response.text


@pytest.mark.clause("collect.web_use.web_activity")
def test_beacon_records_a_pseudonymous_page_view(client: TestClient) -> None:
    status, text = beacon(
        client,
        {
            "site": "www.example.com",
            "path": "/support?email=jane.doe%40example.com&page=2",
            "referrer": "https://duckduckgo.com/?q=hosted+pbx",
        },
        **{"Content-Type": "text/plain;charset=UTF-8"},  # what sendBeacon sends
    )
    assert status == 202, text
    assert json.loads(text) == {"ok": True, "recorded": True}
    assert VISITOR not in text
    (visit,), clicks = stored(client)
    assert clicks == []
    assert (visit.site, visit.page) == ("www.example.com", "/support")
    assert visit.referrer_host == "duckduckgo.com"
    assert visit.ip_truncated == "203.0.113.0/24"
    assert visit.device_class == "desktop"


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_beacon_from_an_ad_landing_records_the_click(client: TestClient) -> None:
    assert beacon(client, {"site": "www.example.com", "path": LANDING})[0] == 202
    (visit,), (click,) = stored(client)
    assert (click.campaign, click.click_kind) == ("spring", "gclid")
    assert click.visitor_hash == visit.visitor_hash
    assert "EAIaIQ" not in repr(vars(click))


@pytest.mark.clause("collect.web_use.ad_clicks")
@pytest.mark.parametrize("signal", ["header", "field"])
def test_gpc_beacon_is_a_visit_but_never_an_ad_click(
    client: TestClient, signal: str
) -> None:
    body: dict[str, object] = {"site": "www.example.com", "path": LANDING}
    headers = {"Sec-GPC": "1"} if signal == "header" else {}
    if signal == "field":
        body["gpc"] = True
    assert beacon(client, body, **headers)[0] == 202
    visits, clicks = stored(client)
    assert len(visits) == 1 and clicks == []


@pytest.mark.postgresql
def test_repeated_beacon_in_the_same_second_is_one_view(client: TestClient) -> None:
    body = {"site": "www.example.com", "path": "/"}
    beacon(client, body)
    status, text = beacon(client, body)
    assert status == 202
    visits, _ = stored(client)
    assert len(visits) in (1, 2)  # 2 only if the clock ticked between the two
    if len(visits) == 1:
        assert json.loads(text)["recorded"] is False


def test_bot_beacon_is_not_recorded(client: TestClient) -> None:
    status, text = beacon(
        client, {"site": "www.example.com", "path": "/"}, **{"User-Agent": "curl/8.5"}
    )
    assert status == 202 and json.loads(text)["recorded"] is False
    assert stored(client) == ([], [])


def test_body_over_the_limit_is_refused_with_413(client: TestClient) -> None:
    big = {"site": "www.example.com", "path": "/" + "a" * MAX_BODY_BYTES}
    status, text = beacon(client, big)
    assert status == 413
    envelope = json.loads(text)
    assert envelope["ok"] is False and envelope["status"] == 413
    assert "4096 bytes" in envelope["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b'{"path": "/'
        for _ in range(10):
            yield b"a" * 1000
        yield b'"}'

    streamed = client.post("/collect", content=chunks())
    assert streamed.status_code == 413
    assert stored(client) == ([], [])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"site": "www.example.com"}', "path"),
        (b'{"path": "pricing"}', "path"),
        (b'{"path": "/", "gpc": "yes"}', "gpc"),
        (b'{"path": "/", "site": "bad host!"}', "site"),
    ],
)
def test_invalid_beacon_is_refused_with_400_naming_the_field(
    client: TestClient, body: bytes, field: str
) -> None:
    response = client.post("/collect", content=body)
    assert response.status_code == 400
    envelope = response.json()
    assert set(envelope) == {"ok", "error", "errors", "status"}
    assert field in envelope["error"]
    assert VISITOR not in response.text


def test_unknown_field_name_is_never_echoed(client: TestClient) -> None:
    response = client.post(
        "/collect", content=b'{"path": "/", "jane.doe@example.com": 1}'
    )
    assert response.status_code == 400
    assert "jane.doe" not in response.text
    assert "(unknown field)" in response.text


@pytest.mark.clause("scope.web_unlinked")
def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    client: TestClient, settings: Settings
) -> None:
    beacon(
        client,
        {"site": "www.example.com", "path": "/"},
        **{"X-Forwarded-For": "198.51.100.20"},
    )
    (visit,), _ = stored(client)
    assert visit.ip_truncated == "203.0.113.0/24"
    assert settings.trusted_proxies == []


def test_client_address_walks_forwarded_for_from_the_right() -> None:
    trusted = ["10.0.0.0/8"]
    hops = "198.51.100.20, 203.0.113.5, 10.1.1.1"
    assert client_address("10.0.0.2", hops, trusted) == "203.0.113.5"
    assert client_address("10.0.0.2", None, trusted) == "10.0.0.2"
    assert client_address("192.0.2.1", hops, trusted) == "192.0.2.1"
    assert client_address("10.0.0.2", "10.9.9.9", trusted) == "10.9.9.9"
    assert client_address("10.0.0.2", hops, []) == "10.0.0.2"


def test_collect_script_is_served_and_loads_nothing_else(client: TestClient) -> None:
    response = client.get("/collect.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    script = response.text
    assert "sendBeacon" in script and "globalPrivacyControl" in script
    assert "http" not in script.replace("location", "")
    assert "cookie" not in script.lower().replace("no cookies", "")
