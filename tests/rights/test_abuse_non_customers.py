"""Subjects who are not customer contacts (issue: access requests, item 4).

Callers, prospects, recording parties and subscribers hold data here too.
They were told "no data is held" while their calls were stored; now a code
to their number or address verifies them and the export carries what is
held about them, other parties masked. The walk proves every table that can
hold personal data is reached by the export for a subject present in it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from tests.factories import add_staff, enter_code
from tests.rights.abuse_world import (
    JENNIFER_DID,
    OTHER_PARTY,
    call,
    customer,
    request,
)
from tests.rights.conftest import message
from tests.rights.test_verification import codes
from tutela.auth.signin import add_user, sign_in
from tutela.collect.accounts.porting import submit_port_request
from tutela.collect.communications.record import record_communication
from tutela.collect.recordings.record import Party, record_notice, store_recording
from tutela.config import Settings
from tutela.errors import TutelaError
from tutela.policy.loader import load_policy_cached
from tutela.rights import verification
from tutela.rights.decisions import reply_channel
from tutela.rights.export import export_case, open_download
from tutela.rights.intake import intake_message
from tutela.rights.verification import VerificationFailed
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import (
    UNLINKABLE_TABLES,
    Account,
    Base,
    PaymentMethod,
    Person,
    UserProposal,
    Voicemail,
)

CALLER = "+12025550133"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(32))


def _document(store: Store, settings: Settings, case_id: int) -> dict[str, object]:
    result = export_case(store, case_id, settings=settings)
    token = result.link.rsplit("/", 1)[1]
    download = open_download(store, token, blobs=BlobStore.in_data_dir(settings.data))
    doc = json.loads(zipfile.ZipFile(io.BytesIO(download.data)).read("data.json"))
    assert isinstance(doc, dict)
    return doc


def _caller_world(store: Store, settings: Settings) -> tuple[int, int, int]:
    """Jennifer's line, called by a stranger who left a voicemail and was recorded."""
    jennifer = customer(store, extension="101")
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    first = call(store, jennifer.account_id, CALLER, JENNIFER_DID, now, "k1")
    call(store, jennifer.account_id, JENNIFER_DID, CALLER, now, "k2")
    call(store, jennifer.account_id, OTHER_PARTY, JENNIFER_DID, now, "k3")
    policy = load_policy_cached(settings.policy_file)
    blobs = BlobStore.in_data_dir(settings.data)
    with store.session() as s:
        account = s.get(Account, jennifer.account_id)
        assert account is not None
        blob = blobs.put(s, account_id=account.id, data=WAV, media_type="audio/wav")
        vm = Voicemail(
            account_id=account.id,
            dedupe_key="vm-caller",
            mailbox="101",
            caller_raw=CALLER,
            caller_e164=CALLER,
            received_at=now,
            duration_s=8,
            audio_blob_id=blob.id,
        )
        s.add(vm)
        notice = record_notice(
            s,
            account=account,
            method="announcement_prompt",
            given_at=now,
            covers_all_parties=True,
            policy=policy,
        )
        store_recording(
            s,
            blobs,
            account=account,
            notice_id=notice.id,
            parties=[
                Party("prospect", number=CALLER),
                Party("staff", number=JENNIFER_DID),
            ],
            recorded_at=now,
            duration_s=3,
            audio=WAV,
            media_type="audio/wav",
            policy=policy,
        )
        record_communication(
            s,
            account=account,
            channel="phone_call",
            body=f"Prospect called from {CALLER}, wants a quote for 12 lines.",
            occurred_at=now,
        )
        s.flush()
        vm_id = vm.id
    return jennifer.person_id, first, vm_id


@pytest.mark.clause("rights.access")
def test_a_caller_who_is_not_a_customer_is_not_told_that_no_data_is_held(
    store: Store, settings: Settings
) -> None:
    _, first_call, vm_id = _caller_world(store, settings)
    case_id = request(store, settings, "caller@mail.example")
    # Staff call the number back and read out a code: whoever answers holds it.
    outcome, code = verification.send_phone_code(
        store, case_id, CALLER, staff=add_staff(store).actor, settings=settings
    )
    assert outcome.state == "verifying" and re.fullmatch(r"\d{8}", code)
    assert enter_code(store, settings, case_id, code).detail == "phone_code"
    doc = _document(store, settings, case_id)
    cats = doc["categories"]
    assert isinstance(cats, dict)
    calls = cats["call_records"]["rows"]
    assert {r["call_id"] for r in calls} >= {first_call}
    assert len(calls) == 2  # the third call was someone else's
    assert all(r["your_number"] == CALLER for r in calls)
    assert all(JENNIFER_DID not in json.dumps(r) for r in calls)  # masked
    assert [r["voicemail_id"] for r in cats["voicemails"]["rows"]] == [vm_id]
    (recording,) = cats["call_recordings"]["rows"]
    assert CALLER in recording["parties"] and JENNIFER_DID not in recording["parties"]
    assert cats["communications"]["count"] == 1
    assert cats["people"]["count"] == 0 and cats["payment"]["count"] == 0


@pytest.mark.clause("rights.access.verification")
def test_a_stranger_cannot_claim_a_customers_line_as_a_callers_number(
    store: Store, settings: Settings
) -> None:
    # A line of an account held by no one person is the customer's, not a caller's.
    jennifer = customer(store)
    with store.session() as s:
        account = s.get(Account, jennifer.account_id)
        assert account is not None
        from tutela.collect.accounts.contacts import assign_number

        assign_number(s, account=account, number=CALLER)
    case_id = request(store, settings, "caller@mail.example")
    with pytest.raises(VerificationFailed, match="customer's line"):
        verification.send_phone_code(
            store, case_id, CALLER, staff=add_staff(store).actor, settings=settings
        )


@pytest.mark.clause("rights.access")
@pytest.mark.clause("changes.subscribe")
def test_a_subscriber_is_verified_at_their_address_and_gets_what_is_held(
    store: Store, settings: Settings
) -> None:
    intake_message(store, message("policy_updates.eml"), settings=settings)
    case_id = request(store, settings, "bob@example.org")
    (code,) = codes(store)  # a code to the address on file: the subscription's
    assert enter_code(store, settings, case_id, code).detail == "email_code"
    assert reply_channel(store, case_id) == ["bob@example.org"]
    doc = _document(store, settings, case_id)
    cats = doc["categories"]
    assert isinstance(cats, dict)
    assert [r["address"] for r in cats["subscriptions"]["rows"]] == ["bob@example.org"]
    kinds = {(r["direction"], r["kind"]) for r in cats["rights_messages"]["rows"]}
    assert ("received", "policy_updates") in kinds
    assert ("sent", "sar_code") in kinds
    assert all(
        r["body"] is None
        for r in cats["rights_messages"]["rows"]
        if r["kind"] == "sar_code"
    )
    assert [r["requester"] for r in cats["access_requests"]["rows"]] == [
        "bob@example.org"
    ]


def _personal_tables() -> set[str]:
    return {
        t.name
        for t in Base.metadata.sorted_tables
        if t.name not in UNLINKABLE_TABLES and any("category" in c.info for c in t.c)
    }


@pytest.mark.postgresql
@pytest.mark.clause("rights.access")
def test_every_table_that_holds_personal_data_is_reached_by_the_export(
    store: Store, settings: Settings
) -> None:
    """A subject present in every personal table; each table must be reached."""
    jennifer_id, _, _ = _caller_world(store, settings)
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    with store.session() as s:
        person = s.get(Person, jennifer_id)
        assert person is not None
        own_account = person.account_id
    call(store, own_account, JENNIFER_DID, OTHER_PARTY, now, "own")
    with store.session() as s:
        person = s.get(Person, jennifer_id)
        assert person is not None
        account = s.get(Account, person.account_id)
        assert account is not None
        record_communication(
            s,
            account=account,
            channel="chat",
            body="Please call me back, Jennifer Kelly",
            person=person,
            occurred_at=now,
        )
        s.add(
            PaymentMethod(
                account_id=account.id,
                processor_token="tok_walk",
                card_brand="visa",
                card_last4="4242",
                card_exp_month=4,
                card_exp_year=2030,
            )
        )
        submit_port_request(
            s,
            account=account,
            numbers=["+12015550111"],
            previous_carrier="Old Phone Co",
            carrier_account_number="99887766",
            carrier_pin="4827",
            billing_telephone_number="+12015550111",
            authorized_name="Jennifer Kelly",
            service_address="1 Main St",
        )
        email = person.email
        assert email is not None
    add_user(
        store,
        email=email,
        role="customer_admin",
        person_id=jennifer_id,
        password="correct horse 42",
    )
    sign_in(store, email=email, password="correct horse 42")
    with pytest.raises(TutelaError):
        sign_in(store, email=email, password="wrong password 1")
    updates = message("policy_updates.eml").replace(b"bob@example.org", email.encode())
    intake_message(store, updates, settings=settings)
    case_id = request(store, settings, email)
    # An override proposal is kept on the case, as evidence.
    officer = add_staff(store)
    verification.propose_override(
        store, case_id, staff=officer.actor, reason="asked by phone"
    )
    # Her address proposed as a privacy officer's (say she joins the provider).
    with store.session() as s:
        s.add(
            UserProposal(
                kind="add",
                state="rejected",
                role="privacy_officer",
                email=email,
                proposed_by=officer.id,
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
            )
        )
    (code,) = codes(store)
    enter_code(store, settings, case_id, code)
    with store.session() as s:
        from tutela.store.models import SarCase

        case = s.scalars(select(SarCase).where(SarCase.id == case_id)).one()
        case_row = case
        s.expunge(case_row)
    from tutela.rights.export.collect import collect_subject
    from tutela.rights.export.subject import case_subject

    subject = case_subject(case_row)
    data = collect_subject(
        store,
        subject.person_ids,
        policy=load_policy_cached(settings.policy_file),
        proven_emails=subject.proven_emails,
        extra_claims=subject.claims,
        case_id=case_id,
    )
    missing = {t for t in _personal_tables() if not data.reached.get(t)}
    assert missing == set(), f"the export does not reach: {sorted(missing)}"
    assert "holdings" in _personal_tables() and "users" in _personal_tables()
