"""The legal inbox page of the staff console: officers only, actions need CSRF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.rights.conftest import message
from tests.web.live import app_client
from tests.web.portal_world import World, build_world, csrf_of, sign_in
from tutela.config import Settings
from tutela.rights.intake import intake_message
from tutela.store.db import Store
from tutela.store.models import AuditEntry, RightsMessage


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path / "spool")


@pytest.fixture
def client(world: World, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


@pytest.mark.clause("contact.questions")
def test_the_privacy_officer_reads_and_routes_a_general_message(
    client: TestClient, store: Store, settings: Settings
) -> None:
    intake_message(store, message("general_question.eml"), settings=settings)
    with store.session() as session:
        (message_id,) = session.scalars(select(RightsMessage.id))
    sign_in(client, "privacy_officer@staff.test")
    listed = client.get("/console/inbox")
    assert listed.status_code == 200 and f'data-message="{message_id}"' in listed.text
    page = client.get(f"/console/inbox/{message_id}")
    assert "Do you sell data?" in page.text
    forged = client.post(
        f"/console/inbox/{message_id}/route",
        data={"csrf": "not-the-token", "to": "general"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    done = client.post(
        f"/console/inbox/{message_id}/route",
        data={"csrf": csrf_of(page.text), "to": "general"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Nothing waiting" in client.get("/console/inbox").text
    with store.session() as session:
        (entry,) = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "inbox.routed")
        )
        assert entry.actor.startswith("staff:")


@pytest.mark.clause("use.purposes")
def test_other_staff_and_customers_cannot_open_the_legal_inbox(
    client: TestClient, store: Store, settings: Settings
) -> None:
    intake_message(store, message("general_question.eml"), settings=settings)
    sign_in(client, "engineering@staff.test")
    assert client.get("/console/inbox").status_code == 403
    client.cookies.clear()
    sign_in(client, "admin@acme.test")
    assert client.get("/console/inbox").status_code == 403
    client.cookies.clear()
    assert client.get("/console/inbox", follow_redirects=False).status_code in (
        302,
        303,
        307,
    )
