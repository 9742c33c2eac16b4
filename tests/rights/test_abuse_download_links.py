"""Abuse: a download link releases its export once, to a person, never to a scanner.

Clause: rights.access (the subject gets their data, and only they do),
rights.access.verification (only the verified channel's link opens it).
Mail scanners and link previews fetch every URL of a message with GET; a
GET must therefore never spend the link. Only the page's button (a POST)
releases the zip, once; a spent or expired link answers 410 to both. Two
clicks at once (a double click, two tabs, a scanner racing the subject)
give exactly one zip and a clear refusal, never a server error.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.factories import enter_code
from tests.rights.conftest import OnFile, message
from tests.web.live import app_client, live_server
from tutela.config import Settings
from tutela.rights.export import export_case
from tutela.rights.intake import intake_message
from tutela.store.db import Store
from tutela.store.models import DownloadToken, OutboxMessage
from tutela.web.app import create_app

PARALLEL = 8


@dataclass(frozen=True)
class Link:
    case_id: int
    token: str

    @property
    def path(self) -> str:
        return f"/rights/download/{self.token}"


def exported_link(
    store: Store, settings: Settings, *, require_email: bool = False
) -> Link:
    """A verified case of Ann's, exported; the token of its e-mailed link."""
    case_id = intake_message(store, message("plain.eml"), settings=settings).case_id
    assert case_id is not None
    with store.session() as session:
        bodies = list(session.scalars(select(OutboxMessage.body)))
    (code,) = [
        m.group(1) for b in bodies if (m := re.search(r"confirm: (\d{8})", b or ""))
    ]
    assert enter_code(store, settings, case_id, code).verified
    result = export_case(
        store,
        case_id,
        settings=settings,
        base_url="http://testserver",
        require_email=require_email,
    )
    return Link(case_id, result.link.rsplit("/", 1)[1])


def link_spent(store: Store, token: str) -> bool:
    with store.session() as session:
        used = session.scalars(select(DownloadToken.used_at)).one()
    return used is not None


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


@pytest.mark.clause("rights.access")
def test_a_mail_scanner_fetching_the_link_does_not_spend_it(
    store: Store, settings: Settings, ann: OnFile, client: TestClient
) -> None:
    link = exported_link(store, settings)
    for _ in range(3):  # scanner, link preview, the subject opening it
        page = client.get(link.path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-store"
        assert '<form method="post"' in page.text and "<button" in page.text
        assert b"PK\x03\x04" not in page.content  # no zip in the page
    assert client.head(link.path).status_code in (200, 405)
    assert not link_spent(store, link.token)

    download = client.post(link.path)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert download.content.startswith(b"PK\x03\x04")
    assert link_spent(store, link.token)


@pytest.mark.clause("rights.access")
def test_a_spent_link_answers_410_to_get_and_post(
    store: Store, settings: Settings, ann: OnFile, client: TestClient
) -> None:
    link = exported_link(store, settings)
    assert client.post(link.path).status_code == 200
    again = client.get(link.path)
    assert again.status_code == 410
    assert again.headers["content-type"].startswith("text/html")
    assert "already been used" in again.text
    assert client.post(link.path).status_code == 410
    assert client.get("/rights/download/" + "x" * 43).status_code == 404
    assert client.post("/rights/download/" + "x" * 43).status_code == 404


@pytest.mark.clause("rights.access.verification")
def test_a_link_asking_for_the_address_releases_only_on_the_right_one(
    store: Store, settings: Settings, ann: OnFile, client: TestClient
) -> None:
    link = exported_link(store, settings, require_email=True)
    page = client.get(link.path)
    assert page.status_code == 200 and 'name="email"' in page.text
    wrong = client.post(link.path, data={"email": "mallory@example.net"})
    assert wrong.status_code == 403
    assert client.post(link.path).status_code == 403  # no address at all
    assert not link_spent(store, link.token)
    right = client.post(link.path, data={"email": ann.email.upper()})
    assert right.status_code == 200 and right.content.startswith(b"PK\x03\x04")
    assert client.get(link.path).status_code == 410


@pytest.mark.postgresql
@pytest.mark.clause("rights.access")
def test_concurrent_clicks_release_the_zip_exactly_once(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    link = exported_link(store, settings)
    statuses: list[int] = []
    bodies: list[bytes] = []
    start = threading.Barrier(PARALLEL)
    lock = threading.Lock()

    def click(base: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            start.wait(30)
            answer = http.post(link.path)
        with lock:
            statuses.append(answer.status_code)
            bodies.append(answer.content)

    with live_server(create_app(settings)) as base:
        threads = [
            threading.Thread(target=click, args=(base,)) for _ in range(PARALLEL)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
    assert len(statuses) == PARALLEL
    assert sorted(statuses) == [200] + [410] * (PARALLEL - 1), statuses
    (zip_body,) = [b for s, b in zip(statuses, bodies, strict=True) if s == 200]
    assert zip_body.startswith(b"PK\x03\x04")
    assert link_spent(store, link.token)
