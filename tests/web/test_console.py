"""The staff console: sign-in required, each page open only to the roles whose work it is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.live import app_client
from tests.web.portal_world import PASSWORD, World, build_world, csrf_of, sign_in
from tutela.config import Settings
from tutela.store.db import Store

pytestmark = pytest.mark.clause("use.purposes")


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path / "spool")


@pytest.fixture
def client(world: World, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


@pytest.mark.clause("secure.measures")
@pytest.mark.parametrize(
    "path", ["/console", "/console/sar", "/console/web", "/console/audit", "/portal"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def test_support_agent_cannot_open_the_access_request_queue(
    client: TestClient,
) -> None:
    sign_in(client, "support_agent@staff.test")
    refused = client.get("/console/sar")
    assert refused.status_code == 403 and "privacy_officer" in refused.text
    index = client.get("/console")
    assert index.status_code == 200 and "/console/sar" not in index.text


def test_auditor_cannot_open_the_website_report_but_can_check_the_audit_log(
    client: TestClient,
) -> None:
    sign_in(client, "auditor@staff.test")
    refused = client.get("/console/web")
    assert refused.status_code == 403
    assert "improve_websites_and_ads" in refused.text
    audit = client.get("/console/audit")
    assert audit.status_code == 200 and "The chain is intact" in audit.text


@pytest.mark.clause("use.purposes.improve_websites_and_ads")
def test_engineering_opens_the_website_report(client: TestClient) -> None:
    sign_in(client, "engineering@staff.test")
    assert client.get("/console/web").status_code == 200
    assert client.get("/console/audit").status_code == 403


@pytest.mark.clause("rights.access")
def test_privacy_officer_sees_the_access_request_queue(client: TestClient) -> None:
    sign_in(client, "privacy_officer@staff.test")
    index = client.get("/console")
    for link in ("/console/sar", "/console/web", "/console/audit"):
        assert f'href="{link}"' in index.text
    queue = client.get("/console/sar")
    assert queue.status_code == 200 and "Subject access requests" in queue.text


def test_customers_cannot_open_the_console_and_staff_not_the_portal(
    client: TestClient,
) -> None:
    sign_in(client, "admin@acme.test")
    assert client.get("/console").status_code == 403
    assert client.get("/console/sar").status_code == 403
    client.cookies.clear()
    sign_in(client, "billing@staff.test")
    assert client.get("/portal").status_code == 403


@pytest.mark.clause("secure.measures")
def test_failed_sign_in_says_the_same_for_unknown_and_wrong(
    client: TestClient,
) -> None:
    answers = []
    for email in ("billing@staff.test", "nobody@staff.test"):
        form = client.get("/login")
        failed = client.post(
            "/login",
            data={"email": email, "password": "wrong", "csrf": csrf_of(form.text)},
        )
        assert failed.status_code == 401
        answers.append(failed.text.split('id="login-error"')[1].split("</p>")[0])
        assert email not in failed.text
    assert answers[0] == answers[1]


@pytest.mark.clause("secure.measures")
def test_login_form_without_its_token_is_refused(client: TestClient) -> None:
    refused = client.post(
        "/login",
        data={"email": "billing@staff.test", "password": PASSWORD, "csrf": "x"},
        follow_redirects=False,
    )
    assert refused.status_code == 403 and "tutela_session" not in refused.headers.get(
        "set-cookie", ""
    )


@pytest.mark.clause("secure.measures")
def test_sign_in_ignores_a_foreign_next_and_sets_a_strict_cookie(
    client: TestClient,
) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": "billing@staff.test",
            "password": PASSWORD,
            "csrf": csrf_of(form.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=" in cookie


@pytest.mark.clause("secure.measures")
def test_sign_out_revokes_the_session_on_the_server(client: TestClient) -> None:
    csrf = sign_in(client, "privacy_officer@staff.test")
    stolen = client.cookies.get("tutela_session")
    assert stolen
    out = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    client.cookies.set("tutela_session", stolen)
    replay = client.get("/console", follow_redirects=False)
    assert replay.status_code == 303
