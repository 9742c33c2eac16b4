"""Abuse: who a number or address belongs to, over time (issue: access requests, item 3).

An export follows a person's numbers, extensions and addresses only for the
periods they held them, inside the accounts they held them in; each test is
a way one holder's data once reached another.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import enter_code
from tests.rights.abuse_world import (
    JENNIFER_DID,
    OTHER_PARTY,
    SECOND_PARTY,
    call,
    customer,
)
from tutela.collect.accounts.contacts import (
    assign_extension,
    assign_number,
    close_account,
)
from tutela.collect.communications.record import record_communication
from tutela.config import Settings
from tutela.policy.loader import load_policy_cached
from tutela.rights.export.collect import collect_subject
from tutela.rights.export.sections import SubjectData
from tutela.store.db import Store
from tutela.store.models import Account, Person, Voicemail


def _export(store: Store, settings: Settings, person_id: int) -> SubjectData:
    policy = load_policy_cached(settings.policy_file)
    return collect_subject(store, [person_id], policy=policy)


def _ids(data: SubjectData, section: str, key: str) -> set[int]:
    return {int(r[key]) for r in data.section(section).rows}


def _voicemail(store: Store, account_id: int, mailbox: str, key: str) -> int:
    with store.session() as s:
        row = Voicemail(
            account_id=account_id,
            dedupe_key=key,
            context="default",
            mailbox=mailbox,
            caller_raw=OTHER_PARTY,
            caller_e164=OTHER_PARTY,
            received_at=dt.datetime.now(dt.UTC),
            duration_s=9,
        )
        s.add(row)
        s.flush()
        return int(row.id)


def _reassign_extension(store: Store, account_id: int, person_id: int) -> None:
    with store.session() as s:
        account, person = s.get(Account, account_id), s.get(Person, person_id)
        assert account is not None and person is not None
        assign_extension(s, account=account, extension="201", person=person)


@pytest.mark.clause("rights.access")
def test_a_reassigned_extension_does_not_give_the_new_holder_earlier_voicemail(
    store: Store, settings: Settings
) -> None:
    ann = customer(store, name="Ann Example", email="ann@acme.example", extension="201")
    vm = _voicemail(store, ann.account_id, "201", "v-ann")
    now = dt.datetime.now(dt.UTC)
    ann_call = call(store, ann.account_id, "201", "202", now, "x-ann", extensions=True)
    dave = customer(
        store,
        name="Dave New",
        email="dave@acme.example",
        did=None,
        account_id=ann.account_id,
    )
    _reassign_extension(store, ann.account_id, dave.person_id)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    dave_call = call(
        store, ann.account_id, "201", "203", later, "x-dave", extensions=True
    )
    theirs = _export(store, settings, dave.person_id)
    assert vm not in _ids(theirs, "voicemails", "voicemail_id")
    assert _ids(theirs, "call_records", "call_id") == {dave_call}
    hers = _export(store, settings, ann.person_id)
    assert vm in _ids(hers, "voicemails", "voicemail_id")
    assert ann_call in _ids(hers, "call_records", "call_id")
    assert dave_call not in _ids(hers, "call_records", "call_id")


@pytest.mark.postgresql
@pytest.mark.clause("rights.access")
def test_a_reassigned_number_does_not_give_the_new_holder_earlier_calls(
    store: Store, settings: Settings
) -> None:
    olga = customer(
        store, name="Olga Prior", email="olga@kelly.example", typed_phone=None
    )
    now = dt.datetime.now(dt.UTC)
    before = call(store, olga.account_id, JENNIFER_DID, OTHER_PARTY, now, "o1")
    nina = customer(
        store,
        name="Nina New",
        email="nina@kelly.example",
        did=None,
        typed_phone=None,
        account_id=olga.account_id,
    )
    with store.session() as s:
        account, person = s.get(Account, olga.account_id), s.get(Person, nina.person_id)
        assert account is not None and person is not None
        assign_number(s, account=account, number=JENNIFER_DID, assignee=person)
    after = call(
        store,
        olga.account_id,
        JENNIFER_DID,
        SECOND_PARTY,
        dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
        "n1",
    )
    assert _ids(
        _export(store, settings, nina.person_id), "call_records", "call_id"
    ) == {after}
    assert _ids(
        _export(store, settings, olga.person_id), "call_records", "call_id"
    ) == {before}


@pytest.mark.clause("rights.access")
def test_an_address_reused_by_a_new_customer_does_not_receive_the_former_customers_data(
    store: Store, settings: Settings
) -> None:
    former = customer(store, name="Frank Former", email="desk@reused.example")
    now = dt.datetime.now(dt.UTC)
    call(store, former.account_id, JENNIFER_DID, OTHER_PARTY, now, "f1")
    other = customer(
        store, name="Carol Other", email="carol@other.example", did=SECOND_PARTY
    )
    with store.session() as s:
        acct = s.get(Account, other.account_id)
        assert acct is not None
        old_ticket = record_communication(
            s,
            account=acct,
            channel="email",
            body="Please copy desk@reused.example on the renewal.",
            occurred_at=now,
        ).id
        closing = s.get(Account, former.account_id)
        assert closing is not None
        close_account(s, closing)
    newcomer = customer(
        store, name="Nora Newcomer", email="desk@reused.example", did=None
    )
    with store.session() as s:
        acct = s.get(Account, other.account_id)
        assert acct is not None
        new_ticket = record_communication(
            s,
            account=acct,
            channel="email",
            body="desk@reused.example asked for a quote.",
            occurred_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
        ).id
    from tests.rights.abuse_world import request
    from tests.rights.test_verification import codes
    from tutela.rights.cases import show_case
    from tutela.rights.export import export_case

    case_id = request(store, settings, "desk@reused.example")
    (code,) = codes(store)
    enter_code(store, settings, case_id, code)
    assert show_case(store, case_id).person_count == 1
    result = export_case(store, case_id, settings=settings)
    assert result.counts["people"] == 1 and result.counts["call_records"] == 0
    # The code proved the address: it reaches other accounts' messages, but
    # only from the day the newcomer held it.
    data = collect_subject(
        store,
        [newcomer.person_id],
        policy=load_policy_cached(settings.policy_file),
        proven_emails=["desk@reused.example"],
    )
    comms = _ids(data, "communications", "communication_id")
    assert new_ticket in comms and old_ticket not in comms


@pytest.mark.clause("rights.access")
def test_a_contact_phone_typed_on_a_person_does_not_pull_in_other_tenants_data(
    store: Store, settings: Settings
) -> None:
    jennifer = customer(store)
    now = dt.datetime.now(dt.UTC)
    call(store, jennifer.account_id, JENNIFER_DID, OTHER_PARTY, now, "j1")
    carol = customer(
        store, name="Carol Other", email="carol@other.example", did=SECOND_PARTY
    )
    call(store, carol.account_id, JENNIFER_DID, SECOND_PARTY, now, "j2")
    vm = _voicemail(store, carol.account_id, "300", "v-j")
    with store.session() as s:
        row = s.get(Voicemail, vm)
        assert row is not None
        row.caller_raw = row.caller_e164 = JENNIFER_DID
        acct = s.get(Account, carol.account_id)
        assert acct is not None
        ticket = record_communication(
            s,
            account=acct,
            channel="ticket",
            body=f"Jennifer called from {JENNIFER_DID} about the invoice.",
            occurred_at=now,
        ).id
    # Mallory types Jennifer's line as the phone of a contact in her own account.
    mallory = customer(
        store,
        name="Mallory Smith",
        email="mallory@attacker.example",
        did=None,
        typed_phone=JENNIFER_DID,
    )
    data = _export(store, settings, mallory.person_id)
    assert _ids(data, "call_records", "call_id") == set()
    assert vm not in _ids(data, "voicemails", "voicemail_id")
    assert ticket not in _ids(data, "communications", "communication_id")
