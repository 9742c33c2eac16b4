"""The request form and the API state who asks, for what, and under which law.

Clause rights.access.request: a request made on the web says what it needs;
the jurisdiction sets the deadline rule; a wrong field is answered with
every problem at once, on the form for people and in the envelope for the
API, without quoting what was sent.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.live import app_client
from tutela.config import Settings
from tutela.store.db import Store
from tutela.store.models import SarCase


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


def only_case(store: Store) -> SarCase:
    with store.session() as session:
        return session.scalars(select(SarCase)).one()


@pytest.mark.clause("rights.access.request")
def test_the_form_records_name_request_and_jurisdiction(
    client: TestClient, store: Store
) -> None:
    form = client.get("/rights/access").text
    for name in ("name", "email", "requested", "jurisdiction"):
        assert f'name="{name}"' in form
    answer = client.post(
        "/rights/access",
        data={
            "name": "Ann Example",
            "email": "ann@example.com",
            "requested": "categories",
            "jurisdiction": "us-ca",
        },
    )
    assert answer.status_code == 202 and "Request received" in answer.text
    case = only_case(store)
    assert (case.requester_name, case.requested) == ("Ann Example", "categories")
    assert (case.jurisdiction, case.deadline_rule) == ("US-CA", "ccpa")


@pytest.mark.clause("rights.access.request")
def test_every_wrong_field_is_listed_on_the_form(
    client: TestClient, store: Store
) -> None:
    page = client.post(
        "/rights/access",
        data={
            "name": "Ann\x00Example",
            "email": "ann-at-example",
            "requested": "everything",
            "jurisdiction": "Mars",
        },
    )
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    for problem in (
        "E-mail address: is not an e-mail address",
        "Your name: is not a name",
        "What you are asking for: is not one of the choices offered",
        "Where you live: is not one of the choices offered",
    ):
        assert problem in page.text
    assert "ann-at-example" not in page.text and "Mars" not in page.text
    assert 'id="access-form"' in page.text
    missing = client.post("/rights/access", data={})
    assert missing.status_code == 400 and 'id="form-problems"' in missing.text
    with store.session() as session:
        assert session.scalars(select(SarCase)).all() == []


@pytest.mark.clause("rights.access.request")
def test_the_api_takes_the_same_details_and_refuses_in_the_envelope(
    client: TestClient, store: Store
) -> None:
    refused = client.post(
        "/api/sar", json={"email": "ann@example.com", "jurisdiction": "XX"}
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["ok"] is False
    assert body["errors"] == ["jurisdiction: is not one of the choices offered"]
    accepted = client.post(
        "/api/sar", json={"email": "ann@example.com", "jurisdiction": "EU"}
    )
    assert accepted.status_code == 202
    case = only_case(store)
    assert (case.jurisdiction, case.deadline_rule, case.requested) == (
        "EU",
        "gdpr",
        "copy",
    )
