"""A re-assigned extension: its earlier voice mail stays with the holder of that time.

Clauses: rights.access ("a subject of personal information can access it":
their own, not a previous holder's) and scope.business_only (an end user
sees their own data only). Ownership is "who held this extension at that
time" (`tutela.access.held_by`), never "who holds it now".

Eve held extension 101 of ACME until 20 January 2018, when it went to Finn.
A message was left on 7 January (Eve's) and one on 25 January (Finn's).
Finn signs in to the portal and the API: the list, the audio and delete
each refuse Eve's message and still serve his own; Eve keeps hers. The
subject's export follows the same rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.live import app_client
from tests.web.portal_world import PASSWORD, csrf_of, sign_in
from tutela.auth.signin import add_user, issue_api_token
from tutela.collect.accounts.contacts import add_person, assign_extension, open_account
from tutela.collect.voicemail.ingest import ingest_voicemail
from tutela.config import Settings
from tutela.demo.telephony import tone_wav
from tutela.policy import load_policy
from tutela.rights.export.collect import collect_subject
from tutela.store.db import Store
from tutela.store.models import Voicemail

pytestmark = [
    pytest.mark.clause("rights.access"),
    pytest.mark.clause("scope.business_only"),
]

EVE_SINCE = dt.datetime(2018, 1, 2, 9, 0, tzinfo=dt.UTC)
FINN_SINCE = dt.datetime(2018, 1, 20, 9, 0, tzinfo=dt.UTC)
EVES_MESSAGE = dt.datetime(2018, 1, 7, 10, 0, tzinfo=dt.UTC)
FINNS_MESSAGE = dt.datetime(2018, 1, 25, 10, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Mailbox:
    eve: int
    finn: int
    eves_vm: int
    finns_vm: int


def _message(spool: Path, n: int, when: dt.datetime) -> None:
    box = spool / "ACME" / "101" / "INBOX"
    box.mkdir(parents=True, exist_ok=True)
    stamp = int(when.timestamp())
    (box / f"msg{n:04d}.txt").write_text(
        "[message]\norigmailbox=101\ncontext=ACME\nexten=101\n"
        'callerid="Test Caller" <3003>\n'
        f"origtime={stamp}\nmsg_id={stamp}-{n:08d}\nduration=4\n",
        encoding="utf-8",
    )
    (box / f"msg{n:04d}.wav").write_bytes(tone_wav(0.1, hz=500 + n))


def build(store: Store, spool: Path) -> Mailbox:
    with store.session() as s:
        acme = open_account(s, organization="Acme Test Dental", ref="ACME")
        eve = add_person(s, account=acme, role="end_user", name="Eve Test", email=None)
        finn = add_person(
            s, account=acme, role="end_user", name="Finn Test", email=None
        )
        assign_extension(s, account=acme, extension="101", person=eve, since=EVE_SINCE)
        assign_extension(
            s, account=acme, extension="101", person=finn, since=FINN_SINCE
        )
        eve_id, finn_id = eve.id, finn.id
    _message(spool, 0, EVES_MESSAGE)
    _message(spool, 1, FINNS_MESSAGE)
    assert ingest_voicemail(store, spool).stored == 2
    with store.session() as s:
        by_time = {
            vm.received_at.replace(tzinfo=dt.UTC): vm.id
            for vm in s.scalars(select(Voicemail))
        }
    for person, email in ((eve_id, "eve@acme.test"), (finn_id, "finn@acme.test")):
        add_user(
            store, email=email, role="end_user", person_id=person, password=PASSWORD
        )
    return Mailbox(eve_id, finn_id, by_time[EVES_MESSAGE], by_time[FINNS_MESSAGE])


@pytest.fixture
def box(store: Store, tmp_path: Path) -> Mailbox:
    return build(store, tmp_path / "spool")


@pytest.fixture
def client(box: Mailbox, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


def _listed(page: str) -> set[int]:
    return {int(part.split('"')[0]) for part in page.split('data-voicemail="')[1:]}


def _exists(store: Store, voicemail_id: int) -> bool:
    with store.session() as s:
        return s.get(Voicemail, voicemail_id) is not None


def test_portal_lists_only_the_messages_of_the_time_the_user_held_the_extension(
    client: TestClient, box: Mailbox
) -> None:
    sign_in(client, "finn@acme.test")
    assert _listed(client.get("/portal").text) == {box.finns_vm}


def test_the_previous_holder_keeps_their_own_messages(
    client: TestClient, box: Mailbox
) -> None:
    sign_in(client, "eve@acme.test")
    assert _listed(client.get("/portal").text) == {box.eves_vm}


def test_api_lists_only_the_messages_of_the_holding(
    client: TestClient, box: Mailbox, store: Store
) -> None:
    token = issue_api_token(store, email="finn@acme.test")
    listed = client.get("/api/voicemails", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert [v["id"] for v in listed.json()["data"]] == [box.finns_vm]


def test_the_previous_holders_audio_is_refused_the_new_holders_is_played(
    client: TestClient, box: Mailbox
) -> None:
    sign_in(client, "finn@acme.test")
    refused = client.get(f"/portal/voicemails/{box.eves_vm}/audio")
    assert refused.status_code == 404
    played = client.get(f"/portal/voicemails/{box.finns_vm}/audio")
    assert played.status_code == 200
    assert played.headers["content-type"] == "audio/wav"
    assert played.content.startswith(b"RIFF")


def test_the_previous_holders_message_cannot_be_deleted_from_the_portal(
    client: TestClient, box: Mailbox, store: Store
) -> None:
    csrf = sign_in(client, "finn@acme.test")
    refused = client.post(
        f"/portal/voicemails/{box.eves_vm}/delete",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    assert _exists(store, box.eves_vm)
    page = client.get("/portal")
    deleted = client.post(
        f"/portal/voicemails/{box.finns_vm}/delete",
        data={"csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert not _exists(store, box.finns_vm)


def test_the_previous_holders_message_cannot_be_deleted_through_the_api(
    client: TestClient, box: Mailbox, store: Store
) -> None:
    token = issue_api_token(store, email="finn@acme.test")
    auth = {"Authorization": f"Bearer {token}"}
    refused = client.delete(f"/api/voicemails/{box.eves_vm}", headers=auth)
    assert refused.status_code == 404
    assert _exists(store, box.eves_vm)
    deleted = client.delete(f"/api/voicemails/{box.finns_vm}", headers=auth)
    assert deleted.json() == {"ok": True, "deleted": box.finns_vm}
    assert not _exists(store, box.finns_vm)


def test_the_export_follows_the_same_holding_intervals(
    box: Mailbox, store: Store
) -> None:
    policy = load_policy(store.policy_file)
    for person, mine in ((box.finn, box.finns_vm), (box.eve, box.eves_vm)):
        data = collect_subject(store, [person], policy=policy)
        rows = data.section("voicemails").rows
        assert [(r["voicemail_id"], r["relation"]) for r in rows] == [
            (mine, "left_for_you")
        ]
