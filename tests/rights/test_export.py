"""The export finds the subject everywhere and nobody else (rights.access).

`build_world` is shared with tests/rights/test_end_to_end.py: Ann (the
subject) and Bob in one account, Carol in another, with calls, voicemail,
a recording, tickets, a card, a port request and a disclosure.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from tutela.access import Actor
from tutela.access.roles import Role
from tutela.collect.accounts.contacts import (
    add_person,
    assign_extension,
    assign_number,
    confirm_phone,
    open_account,
)
from tutela.collect.accounts.porting import submit_port_request
from tutela.collect.communications.record import record_communication
from tutela.collect.recordings.record import Party, record_notice, store_recording
from tutela.config import Settings
from tutela.disclose import disclose
from tutela.errors import Conflict
from tutela.policy.loader import load_policy_cached
from tutela.rights.export import export_case, open_download
from tutela.rights.export._masking import mask_number, scrub_secrets
from tutela.rights.export.collect import collect_subject
from tutela.rights.intake import open_request
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import (
    AuditEntry,
    Base,
    CallRecord,
    PaymentMethod,
    SarCase,
    Voicemail,
)

T0 = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
SINCE = T0 - dt.timedelta(days=30)
ANN_PHONE = "+14155550123"
ANN_DID = "+14155550100"
BOB_PHONE = "+14155550177"
CAROL_PHONE = "+12125550199"
PIN = "4827"
CARRIER_ACCOUNT = "99887766"
CARD_TOKEN = "tok_live_SECRETTOKEN"
PASSWORD = "hunter2xyz"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(64))


@dataclass(frozen=True)
class World:
    ann: int
    bob: int
    carol: int
    acme: int
    other: int
    calls_of_ann: frozenset[int]
    voicemails_of_ann: frozenset[int]
    recording: int
    ticket_mentioning_bob: int
    ticket_mentioning_ann: int
    ticket_of_bob: int
    vm_audio: bytes


def _call(
    session: Any,
    account: int,
    key: str,
    *,
    src: str,
    dst: str,
    minutes: int,
    ext: bool = False,
    name: str | None = None,
) -> int:
    row = CallRecord(
        account_id=account,
        dedupe_key=key,
        source_format="test",
        src_raw=src,
        src_e164=None if ext else src,
        src_extension=src if ext else None,
        dst_raw=dst,
        dst_e164=None if ext else dst,
        dst_extension=dst if ext else None,
        caller_name=name,
        started_at=T0 + dt.timedelta(minutes=minutes),
        ended_at=T0 + dt.timedelta(minutes=minutes + 2),
        duration_s=120,
        billsec_s=110,
        disposition="ANSWERED",
        call_key=key,
    )
    session.add(row)
    session.flush()
    return int(row.id)


def _voicemail(
    session: Any,
    blobs: BlobStore,
    account: int,
    key: str,
    *,
    mailbox: str,
    caller: str,
    audio: bytes,
) -> int:
    blob = blobs.put(session, account_id=account, data=audio, media_type="audio/wav")
    row = Voicemail(
        account_id=account,
        dedupe_key=key,
        context="default",
        mailbox=mailbox,
        caller_raw=caller,
        caller_e164=caller,
        received_at=T0,
        duration_s=12,
        audio_blob_id=blob.id,
    )
    session.add(row)
    session.flush()
    return int(row.id)


def build_world(store: Store, settings: Settings) -> World:
    """Two accounts, three people, and data of every kind about each."""
    policy = load_policy_cached(settings.policy_file)
    blobs = BlobStore.in_data_dir(settings.data)
    with store.session() as s:
        acme = open_account(s, organization="Acme Test Co", jurisdiction="US-CA")
        acme.ref = "ACME-1"
        other = open_account(s, organization="Other Test Ltd", jurisdiction="US")
        ann = add_person(
            s,
            account=acme,
            role="contact",
            name="Ann Example",
            email="ann@example.com",
            phone=ANN_PHONE,
            postal_code="94105",
            since=SINCE,
        )
        bob = add_person(
            s,
            account=acme,
            role="end_user",
            name="Bob Builder",
            email="bob@example.com",
            phone=BOB_PHONE,
            since=SINCE,
        )
        carol = add_person(
            s,
            account=other,
            role="admin",
            name="Carol Other",
            email="carol@other.example",
            phone=CAROL_PHONE,
            since=SINCE,
        )
        assign_number(s, account=acme, number=ANN_DID, assignee=ann, since=SINCE)
        assign_extension(s, account=acme, extension="201", person=ann, since=SINCE)
        assign_extension(s, account=acme, extension="202", person=bob, since=SINCE)
        # Ann proved her mobile is hers (a code read out on a call to it): it
        # reaches other accounts' records too; Bob's stays a typed contact phone.
        confirm_phone(s, person=ann, since=SINCE)
        calls = {
            _call(s, acme.id, "c1", src=ANN_PHONE, dst=CAROL_PHONE, minutes=1),
            _call(s, other.id, "c2", src=CAROL_PHONE, dst=ANN_DID, minutes=2),
            _call(s, acme.id, "c3", src="201", dst="202", minutes=3, ext=True),
            _call(
                s,
                acme.id,
                "c4",
                src=CAROL_PHONE,
                dst=ANN_PHONE,
                minutes=4,
                name="Carol Other",
            ),
        }
        _call(s, acme.id, "b1", src=BOB_PHONE, dst=CAROL_PHONE, minutes=5)
        _call(s, other.id, "o1", src=CAROL_PHONE, dst="+13125550142", minutes=6)
        _call(s, acme.id, "b2", src="202", dst="203", minutes=7, ext=True)
        vm_audio = WAV + b"ann-mailbox"
        vms = {
            _voicemail(
                s,
                blobs,
                acme.id,
                "v1",
                mailbox="201",
                caller=CAROL_PHONE,
                audio=vm_audio,
            ),
            _voicemail(
                s, blobs, other.id, "v2", mailbox="300", caller=ANN_PHONE, audio=WAV
            ),
        }
        _voicemail(
            s, blobs, acme.id, "v3", mailbox="202", caller=CAROL_PHONE, audio=WAV
        )
        notice = record_notice(
            s,
            account=acme,
            method="announcement_prompt",
            given_at=T0,
            covers_all_parties=True,
            policy=policy,
        )
        recording = store_recording(
            s,
            blobs,
            account=acme,
            notice_id=notice.id,
            parties=[
                Party("staff", jurisdiction="US-UT"),
                Party("customer", number=ANN_PHONE),
            ],
            recorded_at=T0 + dt.timedelta(minutes=1),
            duration_s=30,
            audio=WAV + b"recording",
            media_type="audio/wav",
            policy=policy,
        )
        t1 = record_communication(
            s,
            account=acme,
            channel="ticket",
            person=ann,
            subject="Number for Bob",
            body=(
                f"Please call Bob Builder at {BOB_PHONE} or bob@example.com. "
                f"Our porting PIN is {PIN} and the voicemail password: {PASSWORD}. "
                f"Reach me at {ANN_PHONE}."
            ),
            occurred_at=T0,
        )
        t2 = record_communication(
            s,
            account=other,
            channel="email",
            person=carol,
            body="Our partner contact is ann@example.com, see you soon.",
            occurred_at=T0 + dt.timedelta(hours=1),
        )
        t3 = record_communication(
            s,
            account=acme,
            channel="chat",
            person=bob,
            body="Bob here: please reset my extension.",
            occurred_at=T0 + dt.timedelta(hours=2),
        )
        s.add(
            PaymentMethod(
                account_id=acme.id,
                processor_token=CARD_TOKEN,
                card_brand="visa",
                card_last4="4242",
                card_exp_month=4,
                card_exp_year=2029,
            )
        )
        s.add(
            PaymentMethod(
                account_id=other.id,
                processor_token="tok_other_account",
                card_brand="mastercard",
                card_last4="5454",
                card_exp_month=1,
                card_exp_year=2030,
            )
        )
        submit_port_request(
            s,
            account=acme,
            numbers=["+14155550111"],
            previous_carrier="Old Phone Co",
            carrier_account_number=CARRIER_ACCOUNT,
            carrier_pin=PIN,
            billing_telephone_number="+14155550111",
            authorized_name="Ann Example",
            service_address="1 Market St, San Francisco",
        )
        world = World(
            ann=ann.id,
            bob=bob.id,
            carol=carol.id,
            acme=acme.id,
            other=other.id,
            calls_of_ann=frozenset(calls),
            voicemails_of_ann=frozenset(vms),
            recording=recording.id,
            ticket_mentioning_bob=t1.id,
            ticket_mentioning_ann=t2.id,
            ticket_of_bob=t3.id,
            vm_audio=vm_audio,
        )
    officer = Actor.staff(1, Role.privacy_officer)
    disclose(
        store,
        actor=officer,
        recipient="payment_processor",
        subjects=[world.ann],
        categories=["payment"],
        purpose="collect_payment",
        country="CA",
    )
    return world


def verified_case(store: Store, settings: Settings, email: str) -> int:
    """A case for `email`, verified by a (test-forced) e-mail code."""
    ref = open_request(store, email=email, settings=settings, channel="api")
    with store.session() as s:
        case = s.scalars(select(SarCase).where(SarCase.ref == ref)).one()
        case.state = "verified"
        case.verification_method = "email_code"
        case.verification_level = "reasonable"
        return int(case.id)


def zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "\n".join(
            zf.read(n).decode("utf-8", "replace")
            for n in zf.namelist()
            if not n.startswith("audio/")
        )


def row_counts(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


@pytest.mark.postgresql
@pytest.mark.clause("rights.access")
def test_export_finds_the_subject_by_every_number_and_no_one_else(
    store: Store, settings: Settings
) -> None:
    world = build_world(store, settings)
    policy = load_policy_cached(settings.policy_file)
    # The request proved her address (a code reached it): it reaches the
    # message another account wrote about her.
    data = collect_subject(
        store, [world.ann], policy=policy, proven_emails=["ann@example.com"]
    )
    calls = {r["call_id"] for r in data.section("call_records").rows}
    assert calls == world.calls_of_ann
    vms = {r["voicemail_id"]: r for r in data.section("voicemails").rows}
    assert set(vms) == world.voicemails_of_ann
    assert {r["relation"] for r in vms.values()} == {"left_for_you", "left_by_you"}
    (rec,) = data.section("call_recordings").rows
    assert rec["recording_id"] == world.recording
    comms = {r["communication_id"] for r in data.section("communications").rows}
    assert comms == {world.ticket_mentioning_bob, world.ticket_mentioning_ann}
    assert [r["card_last4"] for r in data.section("payment").rows] == ["4242"]
    (person,) = data.section("people").rows
    assert person["person_id"] == world.ann


@pytest.mark.clause("rights.access")
def test_counterpart_numbers_are_masked_and_caller_names_dropped(
    store: Store, settings: Settings
) -> None:
    world = build_world(store, settings)
    data = collect_subject(
        store, [world.ann], policy=load_policy_cached(settings.policy_file)
    )
    rows = data.section("call_records").rows
    others = {r["other_party"] for r in rows}
    assert "+1212555XXXX" in others and CAROL_PHONE not in others
    received = [r for r in rows if r["direction"] == "received"]
    assert received and all(r["caller_name"] is None for r in received)
    internal = [
        r for r in rows if r["direction"] == "placed" and r["your_number"] == "201"
    ]
    assert internal and internal[0]["other_party"] == "XXXX"


def test_mask_modes_follow_the_policy_setting() -> None:
    assert mask_number(CAROL_PHONE, "mask_last_4") == "+1212555XXXX"
    assert mask_number(CAROL_PHONE, "full") == CAROL_PHONE
    assert mask_number(CAROL_PHONE, "omit") is None


@pytest.mark.clause("rights.access")
def test_typed_secrets_are_removed_from_messages() -> None:
    text, count = scrub_secrets(f"PIN is {PIN}; password: {PASSWORD}; SIP secret=abc9")
    assert count == 3
    assert PIN not in text and PASSWORD not in text and "abc9" not in text


@pytest.mark.clause("rights.access.verification")
def test_an_unverified_case_is_not_exported(store: Store, settings: Settings) -> None:
    build_world(store, settings)
    ref = open_request(store, email="ann@example.com", settings=settings, channel="api")
    with store.session() as s:
        case_id = s.scalars(select(SarCase.id).where(SarCase.ref == ref)).one()
    with pytest.raises(Conflict, match="only a verified case"):
        export_case(store, case_id, settings=settings)


@pytest.mark.clause("rights.access")
def test_export_is_audited_and_the_zip_is_shredded_after_download(
    store: Store, settings: Settings
) -> None:
    world = build_world(store, settings)
    case_id = verified_case(store, settings, "ann@example.com")
    result = export_case(store, case_id, settings=settings, actor="staff:1")
    token = result.link.rsplit("/", 1)[1]
    blobs = BlobStore.in_data_dir(settings.data)
    download = open_download(store, token, blobs=blobs)
    doc = json.loads(zipfile.ZipFile(io.BytesIO(download.data)).read("data.json"))
    assert doc["schema_version"] == "1.1"
    assert doc["categories"]["disclosures"]["rows"][0]["third_country"] is True
    assert doc["web_activity_and_ad_clicks"]["linked"] is False
    with store.session() as s:
        actions = list(s.scalars(select(AuditEntry.action)))
    assert "sar.export_built" in actions and "sar.export_downloaded" in actions
    assert world.ann in doc["subject"]["person_ids"]
    with pytest.raises(Conflict):
        export_case(store, case_id, settings=settings, max_bytes=100)
