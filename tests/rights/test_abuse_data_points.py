"""Abuse: data points must belong to the subject (issue: access requests, item 1).

Each test is an attack that once verified someone as another person; each
must now fail, and the case must stay unverified with nobody matched.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.rights.abuse_world import (
    ATTACKER_PHONE,
    JENNIFER_DID,
    OTHER_PARTY,
    SECOND_PARTY,
    call,
    case_people,
    customer,
    request,
)
from tests.rights.conftest import message
from tutela.config import Settings
from tutela.rights import verification
from tutela.rights.cases import show_case
from tutela.rights.intake import intake_message
from tutela.rights.verification import DataPoint, VerificationFailed
from tutela.store.db import Store

HOUR = dt.timedelta(hours=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _refused(store: Store, case_id: int, points: list[DataPoint], **kw: object) -> None:
    with pytest.raises(VerificationFailed):
        verification.submit_data_points(store, case_id, points, **kw)  # type: ignore[arg-type]
    assert show_case(store, case_id).state != "verified"


@pytest.mark.clause("rights.access.verification")
def test_calls_made_to_the_subjects_number_do_not_verify_the_caller(
    store: Store, settings: Settings
) -> None:
    jennifer = customer(store)
    t = _now()
    call(store, jennifer.account_id, ATTACKER_PHONE, JENNIFER_DID, t + HOUR, "a1")
    call(store, jennifer.account_id, ATTACKER_PHONE, JENNIFER_DID, t + 2 * HOUR, "a2")
    case_id = request(store, settings, "mallory@attacker.example")
    points = [
        DataPoint("recent_call", ATTACKER_PHONE, t + HOUR),
        DataPoint("recent_call", ATTACKER_PHONE, t + 2 * HOUR),
    ]
    _refused(store, case_id, points, phone=JENNIFER_DID, now=t + 3 * HOUR)
    assert case_people(store, case_id) == "[]"


@pytest.mark.clause("rights.access.verification")
def test_name_and_postal_code_alone_never_verify(
    store: Store, settings: Settings
) -> None:
    customer(store)
    case_id = request(store, settings, "mallory@attacker.example")
    points = [DataPoint("name", "Jennifer Kelly"), DataPoint("postal_code", "82407")]
    _refused(store, case_id, points, phone=JENNIFER_DID)
    assert case_people(store, case_id) == "[]"


@pytest.mark.clause("rights.access.verification")
def test_public_facts_do_not_make_up_for_a_missing_call(
    store: Store, settings: Settings
) -> None:
    jennifer = customer(store)
    t = _now()
    call(store, jennifer.account_id, JENNIFER_DID, OTHER_PARTY, t + HOUR, "j1")
    with store.session() as s:
        from tutela.store.models import Account

        account = s.get(Account, jennifer.account_id)
        assert account is not None
        ref = account.ref
    case_id = request(store, settings, "mallory@attacker.example")
    points = [
        DataPoint("recent_call", OTHER_PARTY, t + HOUR),
        DataPoint("name", "Jennifer Kelly"),
        DataPoint("postal_code", "82407"),
        DataPoint("account_ref", ref),
    ]
    _refused(store, case_id, points, phone=JENNIFER_DID, now=t + 2 * HOUR)


@pytest.mark.clause("rights.access.verification")
def test_a_contact_phone_typed_on_a_person_does_not_prove_the_number(
    store: Store, settings: Settings
) -> None:
    # Anyone can type a number into a contact record; it proves nothing.
    victim = customer(store, did=None, typed_phone=JENNIFER_DID)
    t = _now()
    call(store, victim.account_id, JENNIFER_DID, OTHER_PARTY, t + HOUR, "t1")
    call(store, victim.account_id, JENNIFER_DID, SECOND_PARTY, t + 2 * HOUR, "t2")
    case_id = request(store, settings, "mallory@attacker.example")
    points = [
        DataPoint("recent_call", OTHER_PARTY, t + HOUR),
        DataPoint("recent_call", SECOND_PARTY, t + 2 * HOUR),
    ]
    _refused(store, case_id, points, phone=JENNIFER_DID, now=t + 3 * HOUR)
    assert case_people(store, case_id) == "[]"


@pytest.mark.clause("rights.access.verification")
def test_a_requester_cannot_prove_someone_elses_case_with_their_own_number(
    store: Store, settings: Settings
) -> None:
    # The case names Jennifer (by the address typed into the form); the
    # attacker proves only that they hold their own line.
    jennifer = customer(store)
    mallory = customer(
        store,
        name="Mallory Smith",
        email="mallory@attacker.example",
        did=ATTACKER_PHONE,
    )
    t = _now()
    call(store, mallory.account_id, ATTACKER_PHONE, OTHER_PARTY, t + HOUR, "m1")
    call(store, mallory.account_id, ATTACKER_PHONE, SECOND_PARTY, t + 2 * HOUR, "m2")
    case_id = request(store, settings, jennifer.email)
    points = [
        DataPoint("recent_call", OTHER_PARTY, t + HOUR),
        DataPoint("recent_call", SECOND_PARTY, t + 2 * HOUR),
    ]
    _refused(store, case_id, points, phone=ATTACKER_PHONE, now=t + 3 * HOUR)


@pytest.mark.postgresql
@pytest.mark.clause("rights.access.verification")
def test_calls_placed_before_the_number_was_theirs_do_not_count(
    store: Store, settings: Settings
) -> None:
    previous = customer(store, name="Olga Prior", email="olga@kelly-plumbing.example")
    t = _now()
    call(store, previous.account_id, JENNIFER_DID, OTHER_PARTY, t - 2 * HOUR, "o1")
    call(store, previous.account_id, JENNIFER_DID, SECOND_PARTY, t - HOUR, "o2")
    # The line goes to a new colleague in the same account.
    newcomer = customer(
        store,
        name="Nina New",
        email="nina@kelly-plumbing.example",
        account_id=previous.account_id,
    )
    case_id = request(store, settings, newcomer.email)
    points = [
        DataPoint("recent_call", OTHER_PARTY, t - 2 * HOUR),
        DataPoint("recent_call", SECOND_PARTY, t - HOUR),
    ]
    _refused(store, case_id, points, phone=JENNIFER_DID, now=t + HOUR)


@pytest.mark.clause("rights.access.verification")
def test_data_points_never_verify_a_high_risk_case(
    store: Store, settings: Settings
) -> None:
    ann = customer(store, name="Ann Example", email="ann@example.com")
    result = intake_message(store, message("spoofed_dmarc_fail.eml"), settings=settings)
    assert result.case_id is not None
    assert show_case(store, result.case_id).risk == "high"
    t = _now()
    others = [OTHER_PARTY, SECOND_PARTY, "+12025550166"]
    for i, other in enumerate(others):
        call(store, ann.account_id, JENNIFER_DID, other, t + i * HOUR, f"h{i}")
    points = [
        DataPoint("recent_call", other, t + i * HOUR) for i, other in enumerate(others)
    ]
    _refused(
        store,
        result.case_id,
        points,
        phone=JENNIFER_DID,
        declaration=True,
        now=t + 4 * HOUR,
    )


@pytest.mark.clause("rights.access.verification")
def test_the_holder_is_verified_by_calls_placed_from_their_own_line(
    store: Store, settings: Settings
) -> None:
    # The control: the same method still works for the one who holds the line.
    jennifer = customer(store)
    t = _now()
    call(store, jennifer.account_id, JENNIFER_DID, OTHER_PARTY, t + HOUR, "g1")
    call(store, jennifer.account_id, JENNIFER_DID, SECOND_PARTY, t + 2 * HOUR, "g2")
    case_id = request(store, settings, "jen.private@mail.example")
    points = [
        DataPoint("recent_call", OTHER_PARTY, t + HOUR + dt.timedelta(minutes=4)),
        DataPoint("recent_call", SECOND_PARTY, t + 2 * HOUR),
    ]
    out = verification.submit_data_points(
        store, case_id, points, phone=JENNIFER_DID, now=t + 3 * HOUR
    )
    assert out.verified
    assert case_people(store, case_id) == f"[{jennifer.person_id}]"
