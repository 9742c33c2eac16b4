"""Identity verification: codes on file, signed-in users, data points, two-person override."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from tests.factories import add_staff, choose_own_password, enter_code
from tests.rights.conftest import OnFile, message
from tutela.auth import change_own_password
from tutela.auth.signin import add_user
from tutela.config import Settings
from tutela.rights import verification
from tutela.rights.cases import list_cases, show_case
from tutela.rights.intake import intake_message, open_request
from tutela.rights.verification import VerificationFailed
from tutela.store.db import Store
from tutela.store.models import OutboxMessage, VerificationChallenge

HOUR = dt.timedelta(hours=1)


def codes(store: Store) -> list[str]:
    with store.session() as session:
        bodies = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.kind == "sar_code")
        )
        return [
            m.group(1) for b in bodies if b and (m := re.search(r"confirm: (\d{8})", b))
        ]


def email_case(store: Store, settings: Settings, name: str = "plain.eml") -> int:
    case_id = intake_message(store, message(name), settings=settings).case_id
    assert case_id is not None
    return case_id


@pytest.mark.clause("rights.access.verification")
def test_code_on_file_verifies_once_and_only_its_hash_is_stored(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = email_case(store, settings)
    (code,) = codes(store)
    with store.session() as session:
        (challenge,) = session.scalars(select(VerificationChallenge))
        assert challenge.code_hash is not None and code not in challenge.code_hash
    assert enter_code(store, settings, case_id, code).verified
    view = show_case(store, case_id)
    assert (view.state, view.verification_method, view.verification_level) == (
        "verified",
        "email_code",
        "reasonable",
    )
    with pytest.raises(VerificationFailed, match="no code is outstanding"):
        enter_code(store, settings, case_id, code)  # single use


@pytest.mark.clause("rights.access.verification")
def test_expired_code_does_not_verify(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = email_case(store, settings)
    (code,) = codes(store)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    with pytest.raises(VerificationFailed, match="expired"):
        enter_code(store, settings, case_id, code, now=later)
    assert show_case(store, case_id).state == "verifying"


@pytest.mark.clause("rights.access.verification")
def test_signed_in_user_must_have_reauthenticated_recently(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    ref = open_request(store, email="someone@example.net", settings=settings)
    case_id = next(v.id for v in list_cases(store) if v.ref == ref)
    now = dt.datetime.now(dt.UTC)
    user = add_user(
        store,
        email="ann.portal@example.com",
        role="customer_admin",
        person_id=ann.person_id,
        password="made-with-the-account-1",
    )
    choose_own_password(store, settings, user.id, "ann-chose-this-herself")
    with pytest.raises(VerificationFailed, match="re-authentication"):
        verification.verify_signed_in(
            store,
            case_id,
            user_id=user.id,
            person_id=ann.person_id,
            account_id=ann.account_id,
            reauthenticated_at=None,
        )
    with pytest.raises(VerificationFailed, match="older than 5 minutes"):
        verification.verify_signed_in(
            store,
            case_id,
            user_id=user.id,
            person_id=ann.person_id,
            account_id=ann.account_id,
            reauthenticated_at=now - dt.timedelta(minutes=20),
        )
    out = verification.verify_signed_in(
        store,
        case_id,
        user_id=user.id,
        person_id=ann.person_id,
        account_id=ann.account_id,
        reauthenticated_at=now,
    )
    assert out.verified and show_case(store, case_id).verification_method == "signed_in"


@pytest.mark.clause("rights.access.verification")
def test_a_sign_in_verifies_only_with_a_password_chosen_behind_the_mailed_link(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    officer = add_staff(store)
    user = add_user(
        store,
        email="ann.portal@example.com",
        role="customer_admin",
        person_id=ann.person_id,
        password="set-by-the-officer-1",
        actor=officer.actor,
    )
    ref = open_request(store, email="someone@example.net", settings=settings)
    case_id = next(v.id for v in list_cases(store) if v.ref == ref)

    def verify() -> verification.Outcome:
        return verification.verify_signed_in(
            store,
            case_id,
            user_id=user.id,
            person_id=ann.person_id,
            account_id=ann.account_id,
            reauthenticated_at=dt.datetime.now(dt.UTC),
        )

    with pytest.raises(VerificationFailed, match="set by someone else"):
        verify()
    # Changed by whoever knows the current one (the officer could): still
    # known to others.
    change_own_password(
        store,
        user.id,
        current="set-by-the-officer-1",
        new="the-officer-could-do-this-1",
        actor=f"user:{user.id}",
        settings=settings,
    )
    with pytest.raises(VerificationFailed, match="set by someone else"):
        verify()
    # Chosen behind the link mailed to her sign-in address: hers alone.
    choose_own_password(store, settings, user.id, "only-ann-knows-this-1")
    out = verify()
    assert out.verified and out.level == "high"
