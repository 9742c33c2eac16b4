"""Forged form posts and open redirects: each attack written down, each refused.

Clauses: secure.measures (a state change needs the session's own
anti-forgery token; the API takes no cookie, so a cross-site request cannot
ride on a browser session; sign-in never sends anyone off-site),
collect.service_use.voicemail (a forged delete leaves the voicemail there).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.tally import tried
from tests.web.live import app_client
from tests.web.portal_world import PASSWORD, World, build_world, csrf_of, sign_in
from tutela.config import Settings
from tutela.store.db import Store
from tutela.store.models import Voicemail

pytestmark = pytest.mark.clause("secure.measures")

BASE = "http://testserver"


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path / "spool")


@pytest.fixture
def client(world: World, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


def _voicemails(store: Store) -> set[int]:
    with store.session() as session:
        return set(session.scalars(select(Voicemail.id)))


def _form_posts(world: World) -> list[tuple[str, str, dict[str, str]]]:
    """(who, url, fields) of every page form post, by a user it is open to."""
    return [
        ("admin@beta.test", f"/portal/voicemails/{world.beta_vm}/delete", {}),
        (
            "admin@acme.test",
            "/portal/access-requests/verify",
            {"case_ref": "SAR-NONE-0000", "password": PASSWORD},
        ),
        ("privacy_officer@staff.test", "/console/inbox/1/route", {"to": "general"}),
        ("billing@staff.test", "/logout", {}),
    ]


@pytest.mark.clause("collect.service_use.voicemail")
def test_form_posts_without_the_token_or_with_another_sessions_are_refused(
    client: TestClient, store: Store, world: World
) -> None:
    other = sign_in(client, "eve@acme.test")  # a real token, of another session
    client.cookies.clear()
    before = _voicemails(store)
    tried_here = 0
    for who, url, fields in _form_posts(world):
        sign_in(client, who)
        for forged in ({}, {"csrf": ""}, {"csrf": other}, {"csrf": "x" * 64}):
            response = client.post(url, data=fields | forged, follow_redirects=False)
            tried_here += 1
            assert response.status_code == 403, (url, forged, response.status_code)
        # The session is still there: a forged sign-out signed nobody out.
        assert client.get("/login", follow_redirects=False).status_code == 303
        client.cookies.clear()
    assert _voicemails(store) == before
    tried("forged posts refused", tried_here)


@pytest.mark.clause("collect.service_use.voicemail")
def test_the_api_ignores_the_session_cookie(
    client: TestClient, store: Store, world: World
) -> None:
    # A cross-site request carries the browser's cookie, never a bearer token.
    sign_in(client, "admin@acme.test")
    response = client.delete(f"/api/voicemails/{world.acme_admin_vm}")
    assert response.status_code == 401
    assert response.json()["ok"] is False
    assert world.acme_admin_vm in _voicemails(store)


FOREIGN = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "http:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "@evil.example",
]


def _stays_here(location: str) -> bool:
    target = urlsplit(urljoin(BASE + "/login", location))
    return target.scheme == "http" and target.netloc == "testserver"


def test_sign_in_never_redirects_off_site(client: TestClient) -> None:
    for next_value in FOREIGN:
        client.cookies.clear()
        form = client.get("/login", params={"next": next_value})
        assert form.status_code == 200
        signed = client.post(
            "/login",
            data={
                "email": "billing@staff.test",
                "password": PASSWORD,
                "csrf": csrf_of(form.text),
                "next": next_value,
            },
            follow_redirects=False,
        )
        assert signed.status_code == 303
        assert _stays_here(signed.headers["location"]), (next_value, signed.headers)
        # Signed in: /login?next=... goes straight on, and stays here too.
        again = client.get(
            "/login", params={"next": next_value}, follow_redirects=False
        )
        assert again.status_code == 303
        assert _stays_here(again.headers["location"]), (next_value, again.headers)
    tried("open redirects refused", 2 * len(FOREIGN))


def test_an_oversized_next_is_refused_not_followed(client: TestClient) -> None:
    huge = "/" + "a" * 600
    form = client.get("/login", params={"next": huge})
    assert form.status_code == 200 and huge not in form.text
    signed = client.post(
        "/login",
        data={
            "email": "billing@staff.test",
            "password": PASSWORD,
            "csrf": csrf_of(form.text),
            "next": huge,
        },
        follow_redirects=False,
    )
    assert signed.status_code == 422 and "location" not in signed.headers


def test_a_local_next_is_kept(client: TestClient) -> None:
    form = client.get("/login", params={"next": "/console/audit"})
    signed = client.post(
        "/login",
        data={
            "email": "auditor@staff.test",
            "password": PASSWORD,
            "csrf": csrf_of(form.text),
            "next": "/console/audit",
        },
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/console/audit"
