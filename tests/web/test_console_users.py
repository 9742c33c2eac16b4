"""Users and roles in the console: the attacks first, then the officer's work.

Clause: secure.measures (only a privacy officer administers users, every
change is audited under that officer, a password is shown once and kept
only as a hash, nobody locks out themselves or the last officer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.console_world import (
    OFFICER,
    SECOND_OFFICER,
    Staffed,
    sign_in,
    staff_and_ann,
)
from tests.web.live import app_client
from tutela.auth.user_admin import disable_by_id
from tutela.config import Settings
from tutela.errors import Conflict
from tutela.store.db import Store
from tutela.store.models import AuditEntry, User

pytestmark = pytest.mark.clause("secure.measures")

PASSWORD_SHOWN = re.compile(r'id="new-password">([^<]+)<')


@pytest.fixture
def staffed(store: Store) -> Staffed:
    return staff_and_ann(store)


@pytest.fixture
def client(staffed: Staffed, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


def audited(store: Store, action: str) -> list[tuple[str, str]]:
    with store.session() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.details).where(
                AuditEntry.action == action
            )
        ).all()
    return [(str(a), str(d)) for a, d in rows]


def test_a_password_reset_needs_an_officer(
    client: TestClient, staffed: Staffed, store: Store
) -> None:
    target = staffed.user_ids["billing@staff.test"]
    csrf = sign_in(client, "auditor@staff.test")
    refused = client.post(
        f"/console/users/{target}/reset-password", data={"csrf": csrf}
    )
    assert refused.status_code == 403
    assert audited(store, "auth.password_set") == []


def test_a_password_reset_without_the_form_token_is_refused(
    client: TestClient, staffed: Staffed, store: Store
) -> None:
    target = staffed.user_ids["billing@staff.test"]
    sign_in(client, OFFICER)
    refused = client.post(f"/console/users/{target}/reset-password", data={})
    assert refused.status_code == 403
    assert audited(store, "auth.password_set") == []


def test_a_reset_password_is_shown_once_audited_and_ends_old_sessions(
    client: TestClient, staffed: Staffed, store: Store, settings: Settings
) -> None:
    target = staffed.user_ids["billing@staff.test"]
    with app_client(settings) as victim:
        sign_in(victim, "billing@staff.test")
        csrf = sign_in(client, OFFICER)
        answer = client.post(
            f"/console/users/{target}/reset-password", data={"csrf": csrf}
        )
        assert answer.status_code == 200
        found = PASSWORD_SHOWN.search(answer.text)
        assert found
        password = found.group(1)
        assert password not in client.get("/console/users").text
        # The old session ended; the new password signs in.
        assert victim.get("/console", follow_redirects=False).status_code == 303
        victim.cookies.clear()
        sign_in(victim, "billing@staff.test", password)
    ((actor, details),) = audited(store, "auth.password_set")
    assert actor == f"staff:{staffed.user_ids[OFFICER]}"
    assert str(target) in details and password not in details
    with store.session() as session:
        stored = session.scalar(select(User.password_hash).where(User.id == target))
    assert stored and stored.startswith("$argon2") and password not in stored


def test_an_officer_cannot_disable_themselves(
    client: TestClient, staffed: Staffed, store: Store
) -> None:
    me = staffed.user_ids[OFFICER]
    csrf = sign_in(client, OFFICER)
    refused = client.post(f"/console/users/{me}/disable", data={"csrf": csrf})
    assert refused.status_code == 409 and "yourself" in refused.text
    assert client.get("/console").status_code == 200


def test_the_last_officer_who_can_sign_in_cannot_be_disabled(
    staffed: Staffed, store: Store
) -> None:
    first = staffed.user_ids[OFFICER]
    second = staffed.user_ids[SECOND_OFFICER]
    disable_by_id(store, second, actor=f"staff:{first}")
    with pytest.raises(Conflict, match="last privacy officer"):
        disable_by_id(
            store, first, actor=f"staff:{staffed.user_ids['auditor@staff.test']}"
        )


def test_an_officer_disables_another_user_and_adds_one(
    client: TestClient, staffed: Staffed, store: Store
) -> None:
    target = staffed.user_ids["engineering@staff.test"]
    csrf = sign_in(client, OFFICER)
    done = client.post(f"/console/users/{target}/disable", data={"csrf": csrf})
    assert done.status_code == 200 and "was disabled" in done.text
    added = client.post(
        "/console/users",
        data={"csrf": csrf, "email": "new.auditor@staff.test", "role": "auditor"},
    )
    assert added.status_code == 200
    assert PASSWORD_SHOWN.search(added.text)
    officer = f"staff:{staffed.user_ids[OFFICER]}"
    assert [a for a, _ in audited(store, "auth.user_disabled")] == [officer]
    assert officer in [a for a, _ in audited(store, "auth.user_added")]
    refused = client.post(
        "/console/users",
        data={"csrf": csrf, "email": "x@staff.test", "role": "customer_admin"},
    )
    assert refused.status_code == 400
