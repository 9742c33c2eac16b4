"""Officers in the console: proposed by one, approved by a second, each shown half a code once.

Clauses: secure.measures (a privacy officer is added, or a role raised to
one, only with a second, independent officer's approval; roles among the
other staff are one officer's decision; every step is audited under the
officer who took it), rights.access.verification (the second officer of
the two-person rule is a second person).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from fastapi.testclient import TestClient
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select

from tests.factories import (
    STAFF_PASSWORD,
    StaffUser,
    add_staff,
    approved_officer,
    bootstrap_officers,
)
from tests.web.live import CHROMIUM_ARGS, app_client, chromium_path, live_server
from tests.web.portal_world import sign_in
from tutela.auth import set_password_with_setup
from tutela.auth import sign_in as auth_sign_in
from tutela.config import Settings
from tutela.store.db import Store
from tutela.store.models import AuditEntry, User, UserProposal
from tutela.web.app import create_app

pytestmark = pytest.mark.clause("secure.measures")

HALF = re.compile(r'id="setup-half">([^<]+)<')
NEW = "new.officer@staff.test"


@pytest.fixture
def officers(store: Store) -> tuple[StaffUser, StaffUser]:
    return bootstrap_officers(store)


@pytest.fixture
def first_client(settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as client:
        yield client


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as client:
        yield client


def actors_of(store: Store, action: str) -> list[str]:
    with store.session() as session:
        return list(
            session.scalars(
                select(AuditEntry.actor)
                .where(AuditEntry.action == action)
                .order_by(AuditEntry.seq)
            )
        )


def test_a_new_officer_is_proposed_approved_and_sets_their_own_password(
    store: Store,
    officers: tuple[StaffUser, StaffUser],
    first_client: TestClient,
    second_client: TestClient,
) -> None:
    first, second = officers
    csrf = sign_in(first_client, first.email, STAFF_PASSWORD)
    proposed = first_client.post(
        "/console/users", data={"csrf": csrf, "email": NEW, "role": "privacy_officer"}
    )
    assert proposed.status_code == 200 and "waits for a second" in proposed.text
    found = HALF.search(proposed.text)
    assert found
    first_half = found.group(1)
    assert first_half not in first_client.get("/console/users").text
    with store.session() as session:
        (proposal_id,) = session.scalars(select(UserProposal.id))
        assert session.scalar(select(User.id).where(User.email == NEW)) is None

    csrf2 = sign_in(second_client, second.email, STAFF_PASSWORD)
    page = second_client.get("/console/users").text
    assert f"/console/users/proposals/{proposal_id}/approve" in page
    approved = second_client.post(
        f"/console/users/proposals/{proposal_id}/approve", data={"csrf": csrf2}
    )
    assert approved.status_code == 200 and "is a privacy officer" in approved.text
    found = HALF.search(approved.text)
    assert found and found.group(1) != first_half
    second_half = found.group(1)
    with store.session() as session:
        user = session.scalars(select(User).where(User.email == NEW)).one()
        assert user.role == "privacy_officer" and user.password_hash is None
    chosen = "the new officer's own choice"
    set_password_with_setup(
        store, email=NEW, halves=(first_half, second_half), password=chosen
    )
    assert auth_sign_in(store, email=NEW, password=chosen).principal.user_id == user.id
    assert actors_of(store, "auth.officer_proposed") == [first.actor]
    assert actors_of(store, "auth.officer_approved") == [second.actor]


def test_an_approver_in_their_first_week_is_refused_in_the_console(
    store: Store,
    settings: Settings,
    officers: tuple[StaffUser, StaffUser],
    first_client: TestClient,
) -> None:
    first, second = officers
    new = approved_officer(store, first, second)
    auditor = add_staff(store, "auditor")
    csrf = sign_in(first_client, second.email, STAFF_PASSWORD)
    raised = first_client.post(
        f"/console/users/{auditor.id}/role",
        data={"csrf": csrf, "role": "privacy_officer"},
    )
    assert raised.status_code == 200
    with store.session() as session:
        (proposal_id,) = session.scalars(
            select(UserProposal.id).where(UserProposal.kind == "raise")
        )
    with app_client(settings) as newcomer:
        csrf_new = sign_in(newcomer, new.email, STAFF_PASSWORD)
        refused = newcomer.post(
            f"/console/users/proposals/{proposal_id}/approve", data={"csrf": csrf_new}
        )
    assert refused.status_code == 403 and "recently" in refused.text
    with store.session() as session:
        role = session.scalar(select(User.role).where(User.id == auditor.id))
    assert role == "auditor"


def test_staff_roles_other_than_officer_are_one_officers_decision(
    store: Store,
    officers: tuple[StaffUser, StaffUser],
    first_client: TestClient,
) -> None:
    first, second = officers
    agent = add_staff(store, "support_agent")
    csrf = sign_in(first_client, first.email, STAFF_PASSWORD)
    moved = first_client.post(
        f"/console/users/{agent.id}/role", data={"csrf": csrf, "role": "billing"}
    )
    assert moved.status_code == 200 and f"User {agent.id} is now billing" in moved.text
    mine = first_client.post(
        f"/console/users/{first.id}/role", data={"csrf": csrf, "role": "auditor"}
    )
    assert mine.status_code == 409 and "your own role" in mine.text
    down = first_client.post(
        f"/console/users/{second.id}/role", data={"csrf": csrf, "role": "auditor"}
    )
    assert down.status_code == 200
    with store.session() as session:
        roles = {i: r for i, r in session.execute(select(User.id, User.role))}
    assert (roles[agent.id], roles[first.id], roles[second.id]) == (
        "billing",
        "privacy_officer",
        "auditor",
    )
    assert actors_of(store, "auth.role_set") == [first.actor, first.actor]


def test_a_proposal_is_rejected_in_the_console(
    store: Store,
    officers: tuple[StaffUser, StaffUser],
    first_client: TestClient,
) -> None:
    first, _second = officers
    csrf = sign_in(first_client, first.email, STAFF_PASSWORD)
    first_client.post(
        "/console/users", data={"csrf": csrf, "email": NEW, "role": "privacy_officer"}
    )
    with store.session() as session:
        (proposal_id,) = session.scalars(select(UserProposal.id))
    done = first_client.post(
        f"/console/users/proposals/{proposal_id}/reject", data={"csrf": csrf}
    )
    assert done.status_code == 200 and "was rejected" in done.text
    assert 'id="no-proposals"' in done.text
    with store.session() as session:
        state = session.scalar(
            select(UserProposal.state).where(UserProposal.id == proposal_id)
        )
    assert state == "rejected"


def accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page."""
    results = Axe().run(page)
    bad = [
        v["id"]
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"


def test_two_officers_make_a_third_in_the_browser(
    store: Store, settings: Settings, officers: tuple[StaffUser, StaffUser]
) -> None:
    first, second = officers
    with live_server(create_app(settings)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            halves = []
            for who in (first, second):
                page = browser.new_page()
                page.goto(base + "/console/users")
                page.fill("input[name=email]", who.email)
                page.fill("input[name=password]", STAFF_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(base + "/console/users")
                if who is first:
                    page.fill("form.stack input[name=email]", NEW)
                    page.select_option(
                        "form.stack select[name=role]", "privacy_officer"
                    )
                    page.click("form.stack button[type=submit]")
                else:
                    assert NEW in page.locator("#proposals").inner_text()
                    accessible(page)
                    page.click("#proposals button:has-text('Approve')")
                halves.append(page.locator("#setup-half").inner_text())
                accessible(page)
                page.close()
        finally:
            browser.close()
    set_password_with_setup(
        store, email=NEW, halves=(halves[0], halves[1]), password="mine and mine only"
    )
    assert auth_sign_in(store, email=NEW, password="mine and mine only").token
