"""The customer portal and API: own voice mail only, deletion shreds and is audited."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.factories import add_staff, choose_own_password
from tests.web.live import app_client
from tests.web.portal_world import PASSWORD, World, build_world, csrf_of, sign_in
from tutela.auth import password_known_to_others
from tutela.auth.signin import add_user, issue_api_token
from tutela.collect.accounts.contacts import add_person
from tutela.config import Settings
from tutela.rights.intake import open_request
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import (
    Account,
    AuditEntry,
    Blob,
    OutboxMessage,
    User,
    Voicemail,
)

pytestmark = pytest.mark.clause("collect.service_use.voicemail")


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path / "spool")


@pytest.fixture
def client(world: World, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


def _blob_of(store: Store, voicemail_id: int) -> str:
    with store.session() as s:
        vm = s.get(Voicemail, voicemail_id)
        assert vm is not None and vm.audio_blob_id is not None
        return vm.audio_blob_id


def _exists(store: Store, voicemail_id: int) -> bool:
    with store.session() as s:
        return s.get(Voicemail, voicemail_id) is not None


def _assert_shredded_and_audited(store: Store, blob_id: str, actor: str) -> None:
    assert not BlobStore.in_data_dir(store.data_dir).path_of(blob_id).exists()
    with store.session() as s:
        blob = s.get(Blob, blob_id)
        assert blob is None or blob.wrapped_key is None
        deletions = list(
            s.scalars(select(AuditEntry).where(AuditEntry.action == "voicemail.delete"))
        )
    assert [e.actor for e in deletions] == [actor]


def _ids(page: str) -> set[int]:
    return {
        int(part.split('"')[0]) for part in page.split('data-voicemail="')[1:] if part
    }


@pytest.mark.clause("use.purposes")
def test_customer_admin_sees_every_mailbox_of_their_own_account_only(
    client: TestClient, world: World
) -> None:
    sign_in(client, "admin@acme.test")
    page = client.get("/portal")
    assert page.status_code == 200
    assert _ids(page.text) == {world.acme_admin_vm, world.acme_user_vm}


@pytest.mark.clause("use.purposes")
def test_end_user_sees_only_their_own_mailbox(client: TestClient, world: World) -> None:
    sign_in(client, "eve@acme.test")
    assert _ids(client.get("/portal").text) == {world.acme_user_vm}


def test_the_portal_leads_to_requests_about_ones_data_and_ones_password(
    client: TestClient, world: World
) -> None:
    sign_in(client, "eve@acme.test")
    page = client.get("/portal").text
    nav = page.split('id="portal-nav"')[1].split("</nav>")[0]
    for target in ("/rights/access", "/portal/password", "/policy"):
        assert f'href="{target}"' in nav
    assert client.get("/rights/access").status_code == 200


def test_admin_of_one_account_cannot_delete_another_accounts_voicemail(
    client: TestClient, world: World, store: Store
) -> None:
    csrf = sign_in(client, "admin@acme.test")
    refused = client.post(
        f"/portal/voicemails/{world.beta_vm}/delete",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    # Same answer as an id that does not exist: nothing to probe.
    missing = client.post(
        "/portal/voicemails/999999/delete", data={"csrf": csrf}, follow_redirects=False
    )
    assert missing.status_code == 404
    assert _exists(store, world.beta_vm)
    assert (
        BlobStore.in_data_dir(store.data_dir)
        .path_of(_blob_of(store, world.beta_vm))
        .exists()
    )


def test_end_user_cannot_delete_a_colleagues_voicemail(
    client: TestClient, world: World, store: Store
) -> None:
    csrf = sign_in(client, "eve@acme.test")
    refused = client.post(
        f"/portal/voicemails/{world.acme_admin_vm}/delete",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert refused.status_code == 404 and _exists(store, world.acme_admin_vm)


@pytest.mark.postgresql
def test_deleting_from_the_page_shreds_the_audio_and_audits_it(
    client: TestClient, world: World, store: Store
) -> None:
    blob_id = _blob_of(store, world.acme_user_vm)
    csrf = sign_in(client, "eve@acme.test")
    done = client.post(
        f"/portal/voicemails/{world.acme_user_vm}/delete", data={"csrf": csrf}
    )
    assert done.status_code == 200 and "was deleted" in done.text
    assert _ids(done.text) == set()
    assert not _exists(store, world.acme_user_vm)
    _assert_shredded_and_audited(store, blob_id, f"user:{world.acme_user_person}")


@pytest.mark.clause("secure.measures")
def test_delete_form_without_its_csrf_token_is_refused(
    client: TestClient, world: World, store: Store
) -> None:
    sign_in(client, "admin@acme.test")
    for data in ({}, {"csrf": "0" * 64}):
        refused = client.post(
            f"/portal/voicemails/{world.acme_admin_vm}/delete",
            data=data,
            follow_redirects=False,
        )
        assert refused.status_code == 403
        assert "anti-forgery" in refused.text
    assert _exists(store, world.acme_admin_vm)


def test_api_lists_and_deletes_with_a_bearer_token(
    client: TestClient, world: World, store: Store
) -> None:
    token = issue_api_token(store, email="admin@acme.test")
    auth = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/voicemails", headers=auth)
    assert listed.status_code == 200
    body = listed.json()
    assert body["ok"] is True and body["count"] == 2
    assert {v["id"] for v in body["data"]} == {world.acme_admin_vm, world.acme_user_vm}
    blob_id = _blob_of(store, world.acme_admin_vm)
    deleted = client.delete(f"/api/voicemails/{world.acme_admin_vm}", headers=auth)
    assert deleted.json() == {"ok": True, "deleted": world.acme_admin_vm}
    assert not _exists(store, world.acme_admin_vm)
    _assert_shredded_and_audited(store, blob_id, f"user:{world.acme_admin_person}")


def test_api_refuses_other_accounts_and_missing_tokens(
    client: TestClient, world: World, store: Store
) -> None:
    token = issue_api_token(store, email="admin@acme.test")
    other = client.delete(
        f"/api/voicemails/{world.beta_vm}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert other.status_code == 404
    assert set(other.json()) == {"ok", "error", "errors", "status"}
    assert _exists(store, world.beta_vm)
    anonymous = client.delete(f"/api/voicemails/{world.beta_vm}")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["ok"] is False
    forged = client.get("/api/voicemails", headers={"Authorization": "Bearer tut_x"})
    assert forged.status_code == 401
    # A browser session is not an API credential (no cross-site riding on it).
    sign_in(client, "admin@acme.test")
    assert client.get("/api/voicemails").status_code == 401


@pytest.mark.clause("secure.measures")
def test_portal_pages_load_nothing_from_elsewhere(
    client: TestClient, world: World
) -> None:
    sign_in(client, "admin@acme.test")
    page = client.get("/portal")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "<script" not in page.text and "http" not in page.text.split("<main>")[1]


@pytest.mark.clause("rights.access.verification")
def test_signed_in_customer_verifies_an_access_request_with_their_password(
    client: TestClient, world: World, store: Store, settings: Settings
) -> None:
    # Made from Eve's own address (someone else's: test_abuse_intake.py).
    ref = open_request(store, email="eve@acme.test", settings=settings)
    with store.session() as s:
        eve = s.scalars(select(User.id).where(User.email == "eve@acme.test")).one()
    choose_own_password(store, settings, eve, PASSWORD)  # hers alone
    csrf = sign_in(client, "eve@acme.test")
    wrong = client.post(
        "/portal/access-requests/verify",
        data={"csrf": csrf, "case_ref": ref, "password": "not it at all"},
    )
    assert wrong.status_code == 401
    unknown = client.post(
        "/portal/access-requests/verify",
        data={"csrf": csrf, "case_ref": "NOPE", "password": PASSWORD},
    )
    assert unknown.status_code == 403
    done = client.post(
        "/portal/access-requests/verify",
        data={"csrf": csrf, "case_ref": ref, "password": PASSWORD},
    )
    assert done.status_code == 200 and "verified" in done.text
    with store.session() as s:
        methods = [
            json.loads(e.details).get("method")
            for e in s.scalars(
                select(AuditEntry).where(AuditEntry.action.like("sar.%"))
            )
        ]
    assert "signed_in" in methods
    assert csrf_of(done.text) == csrf


@pytest.mark.clause("rights.access.verification")
def test_a_customer_chooses_their_own_password_only_through_the_mailed_link(
    client: TestClient, store: Store, world: World
) -> None:
    officer = add_staff(store)
    with store.session() as s:
        acme = s.get(Account, world.acme_id)
        assert acme is not None
        hire = add_person(
            s, account=acme, role="end_user", name="New Hire-Test", email=None
        )
        s.flush()
        hire_id = hire.id
    user = add_user(
        store,
        email="new.hire@acme.test",
        role="end_user",
        person_id=hire_id,
        password="the-officer-chose-this",
        actor=officer.actor,
    )
    csrf = sign_in(client, user.email, "the-officer-chose-this")
    form = client.get("/portal/password")
    assert form.status_code == 200 and 'id="known-to-others"' in form.text
    wrong = client.post(
        "/portal/password",
        data={"csrf": csrf, "current": "a guess", "new": "x" * 16, "repeat": "x" * 16},
    )
    assert wrong.status_code == 403 and "current password is wrong" in wrong.text
    differ = client.post(
        "/portal/password",
        data={
            "csrf": csrf,
            "current": "the-officer-chose-this",
            "new": "mine-alone-1234",
            "repeat": "mine-alone-1235",
        },
    )
    assert differ.status_code == 400 and "differ" in differ.text
    forged = client.post(
        "/portal/password",
        data={
            "current": "the-officer-chose-this",
            "new": "mine-alone-1234",
            "repeat": "mine-alone-1234",
        },
    )
    assert forged.status_code == 403
    done = client.post(
        "/portal/password",
        data={
            "csrf": csrf,
            "current": "the-officer-chose-this",
            "new": "changed-by-whoever-1",
            "repeat": "changed-by-whoever-1",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/login")
    # Whoever knew the old one could have changed it: still not hers alone.
    assert password_known_to_others(store, user.id)
    # The old session ended with the old password.
    assert client.get("/portal/password", follow_redirects=False).status_code == 303
    csrf = sign_in(client, user.email, "changed-by-whoever-1")
    assert client.post("/portal/password/link", data={}).status_code == 403
    sent = client.post("/portal/password/link", data={"csrf": csrf})
    assert sent.status_code == 200 and 'id="link-sent"' in sent.text
    with store.session() as s:
        mailed = s.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "password_choose_link")
        ).one()
    assert mailed.to_address == user.email
    found = re.search(r"/portal/password/choose/[A-Za-z0-9_-]+", mailed.body or "")
    assert found is not None
    link = found.group(0)
    # Opening the link spends nothing; the form behind it sets the password.
    assert client.get(link).status_code == 200
    assert (
        client.post(
            link, data={"new": "mine-alone-1234", "repeat": "other-1234567"}
        ).status_code
        == 400
    )
    chosen = client.post(
        link,
        data={"new": "mine-alone-1234", "repeat": "mine-alone-1234"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    assert not password_known_to_others(store, user.id)
    again = client.post(link, data={"new": "x-y-z-1234567", "repeat": "x-y-z-1234567"})
    assert again.status_code == 404
    sign_in(client, user.email, "mine-alone-1234")
    assert 'id="known-to-others"' not in client.get("/portal/password").text
