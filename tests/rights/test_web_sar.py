"""The public form and the JSON API open the same kind of case, with the same answer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.rights.conftest import OnFile
from tests.web.live import app_client
from tutela.config import Settings
from tutela.rights.cases import list_cases
from tutela.store.db import Store
from tutela.web import throttle
from tutela.web.throttle import RequestLimit


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


@pytest.mark.clause("rights.access.request")
def test_form_and_api_answer_identically_for_known_and_unknown(
    client: TestClient, store: Store, ann: OnFile
) -> None:
    assert "<form" in client.get("/rights/access").text
    known = client.post("/api/sar", json={"email": ann.email})
    unknown = client.post("/api/sar", json={"email": "nobody@example.net"})
    assert known.status_code == unknown.status_code == 202
    mask = re.compile(r"SAR-[0-9A-F]{8}")
    assert mask.sub("X", known.text) == mask.sub("X", unknown.text)
    page_known = client.post("/rights/access", data={"email": ann.email})
    page_unknown = client.post("/rights/access", data={"email": "nobody@example.net"})
    assert mask.sub("X", page_known.text) == mask.sub("X", page_unknown.text)
    channels = sorted(v.channel for v in list_cases(store))
    assert channels == ["api", "api", "web", "web"]


def test_api_refuses_a_malformed_address_without_echoing_it(client: TestClient) -> None:
    response = client.post("/api/sar", json={"email": "not-an-address"})
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert "not-an-address" not in response.text


@pytest.mark.clause("rights.access.request")
def test_a_client_over_the_hourly_limit_is_told_to_wait(
    settings: Settings, store: Store
) -> None:
    limited = settings.model_copy(update={"sar_requests_per_hour": 3})
    with app_client(limited) as client:
        answers = [
            client.post("/api/sar", json={"email": f"p{i}@example.net"})
            for i in range(3)
        ]
        assert [a.status_code for a in answers] == [202, 202, 202]
        refused = client.post("/rights/access", data={"email": "p9@example.net"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 3600
        assert "p9@example.net" not in refused.text
    assert len(list_cases(store)) == 3


def test_request_limit_slides_over_the_hour_and_forgets_old_clients() -> None:
    now = [0.0]
    limit = RequestLimit(2, clock=lambda: now[0])
    assert limit.check("a") is None and limit.check("a") is None
    assert limit.check("a") == 3600
    assert limit.check("b") is None  # another client counts apart
    now[0] = 1800.0
    assert limit.check("a") == 1800
    now[0] = 3600.0
    assert limit.check("a") is None  # the first request left the window
    for i in range(throttle.MAX_CLIENTS + 5):
        limit.check(f"client-{i}")
    assert len(limit._seen) <= throttle.MAX_CLIENTS


@pytest.mark.clause("rights.access.request")
def test_form_and_api_open_erasure_and_correction_requests(
    client: TestClient, store: Store, ann: OnFile
) -> None:
    page = client.get("/rights/access").text
    assert 'name="requested"' in page and 'value="erasure"' in page
    # The page is about every kind, not only a copy.
    heading = page.split("<h1>")[1].split("</h1>")[0]
    assert heading == "Ask about your personal information"
    assert "deleted or corrected" in page
    api = client.post("/api/sar", json={"email": ann.email, "kind": "erasure"})
    assert api.status_code == 202
    form = client.post(
        "/rights/access", data={"email": ann.email, "kind": "correction"}
    )
    assert form.status_code == 202
    assert sorted(c.kind for c in list_cases(store)) == ["correction", "erasure"]
    for kind, status in (("delete-all", 400), ("<script>delete</script>", 422)):
        refused = client.post("/api/sar", json={"email": ann.email, "kind": kind})
        assert refused.status_code == status
        body = refused.json()
        assert body["ok"] is False and "kind" in json.dumps(body)
        assert "<script>" not in refused.text
    assert len(list_cases(store)) == 2
