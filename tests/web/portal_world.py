"""Two customer accounts with voice mail, and users who sign in: shared by the portal tests.

Account ACME: admin (extension 1001) and an end user (extension 2001), one
voicemail in each mailbox. Account BETA: one voicemail in mailbox 1001.
All values are obviously fake.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tutela.auth.signin import add_user
from tutela.collect.accounts.contacts import add_person, assign_extension, open_account
from tutela.collect.voicemail.ingest import ingest_voicemail
from tutela.demo.telephony import tone_wav
from tutela.store.db import Store
from tutela.store.models import Voicemail

PASSWORD = "correct horse battery staple"
HELD_SINCE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
STAFF_ROLES = ("privacy_officer", "support_agent", "billing", "engineering", "auditor")


@dataclass(frozen=True)
class World:
    acme_id: int
    beta_id: int
    acme_admin_vm: int
    acme_user_vm: int
    beta_vm: int
    acme_admin_person: int
    acme_user_person: int


def _message(box: Path, n: int, *, context: str, mailbox: str, when: int) -> None:
    box.mkdir(parents=True, exist_ok=True)
    (box / f"msg{n:04d}.txt").write_text(
        "[message]\n"
        f"origmailbox={mailbox}\ncontext={context}\nexten={mailbox}\n"
        'callerid="Test Caller" <3003>\n'
        f"origtime={when}\nmsg_id={when}-{n:08d}\nduration=3\n",
        encoding="utf-8",
    )
    (box / f"msg{n:04d}.wav").write_bytes(tone_wav(0.1, hz=440 + n))


def build_world(store: Store, spool: Path) -> World:
    with store.session() as s:
        acme = open_account(s, organization="Acme Test Dental", ref="ACME")
        beta = open_account(s, organization="Beta Test Plumbing", ref="BETA")
        admin = add_person(
            s, account=acme, role="admin", name="Ada Admin-Test", email=None
        )
        user = add_person(
            s, account=acme, role="end_user", name="Eve User-Test", email=None
        )
        beta_admin = add_person(
            s, account=beta, role="admin", name="Bo Admin-Test", email=None
        )
        # Held since before the messages were left (March 2024): an end user
        # sees the messages of the time they held the extension.
        for account, extension, holder in (
            (acme, "1001", admin),
            (acme, "2001", user),
            (beta, "1001", beta_admin),
        ):
            assign_extension(
                s, account=account, extension=extension, person=holder, since=HELD_SINCE
            )
        ids = (acme.id, beta.id, admin.id, user.id, beta_admin.id)
    _message(
        spool / "ACME/1001/INBOX", 0, context="ACME", mailbox="1001", when=1709283600
    )
    _message(
        spool / "ACME/2001/INBOX", 0, context="ACME", mailbox="2001", when=1709287200
    )
    _message(
        spool / "BETA/1001/INBOX", 0, context="BETA", mailbox="1001", when=1709290800
    )
    summary = ingest_voicemail(store, spool)
    assert summary.stored == 3, summary
    with store.session() as s:
        vms = {
            (vm.account_id, vm.mailbox): vm.id for vm in s.scalars(select(Voicemail))
        }
    acme_id, beta_id, admin_id, user_id, beta_admin_id = ids
    add_user(
        store,
        email="admin@acme.test",
        role="customer_admin",
        person_id=admin_id,
        password=PASSWORD,
    )
    add_user(
        store,
        email="eve@acme.test",
        role="end_user",
        person_id=user_id,
        password=PASSWORD,
    )
    add_user(
        store,
        email="admin@beta.test",
        role="customer_admin",
        person_id=beta_admin_id,
        password=PASSWORD,
    )
    for role in STAFF_ROLES:
        add_user(store, email=f"{role}@staff.test", role=role, password=PASSWORD)
    return World(
        acme_id=acme_id,
        beta_id=beta_id,
        acme_admin_vm=vms[(acme_id, "1001")],
        acme_user_vm=vms[(acme_id, "2001")],
        beta_vm=vms[(beta_id, "1001")],
        acme_admin_person=admin_id,
        acme_user_person=user_id,
    )


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get(response.headers["location"])
    return csrf_of(home.text)
