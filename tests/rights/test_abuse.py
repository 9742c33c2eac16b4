"""Abuse: each of these attempts fails to obtain verification or data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from tests.factories import add_staff, enter_code, officer_of
from tests.rights.conftest import OnFile, add_call, add_person, message
from tutela.config import Settings
from tutela.rights import decisions, verification
from tutela.rights.cases import list_cases, show_case
from tutela.rights.intake import intake_message, open_request
from tutela.rights.verification import VerificationFailed
from tutela.store.db import Store
from tutela.store.models import Base, OutboxMessage


def outbox(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as session:
        return [
            (o.kind, o.to_address, o.body or "")
            for o in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def case_of(store: Store, name: str, settings: Settings) -> int:
    case_id = intake_message(store, message(name), settings=settings).case_id
    assert case_id is not None
    return case_id


@pytest.mark.clause("rights.access.verification")
def test_lookalike_address_gets_no_code_and_no_verification(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = case_of(store, "lookalike_domain.eml", settings)
    assert not [o for o in outbox(store) if o[0] == "sar_code"]
    with pytest.raises(VerificationFailed):
        enter_code(store, settings, case_id, "00000000")
    assert show_case(store, case_id).state == "verifying"


@pytest.mark.clause("rights.access.verification")
def test_spoofed_from_with_failing_authentication_is_high_risk_and_gets_no_code(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = case_of(store, "spoofed_dmarc_fail.eml", settings)
    view = show_case(store, case_id)
    assert view.risk == "high" and view.auth_failures == ["dkim", "dmarc", "spf"]
    assert outbox(store) == []  # no acknowledgement to an unverified From, no code
    with pytest.raises(VerificationFailed, match="not accepted for a high-risk"):
        enter_code(store, settings, case_id, "12345678")


@pytest.mark.clause("rights.access.verification")
def test_reply_to_and_other_address_in_the_body_never_receive_anything(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_of(store, "reply_to_elsewhere.eml", settings)
    recipients = {to for _, to, _ in outbox(store)}
    assert recipients == {ann.email}
    assert all("elsewhere.example" not in body for _, _, body in outbox(store))


@pytest.mark.clause("rights.access.verification")
def test_web_request_naming_a_victims_address_sends_the_code_only_on_file(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    open_request(store, email="ANN@example.com", settings=settings)
    assert {(kind, to) for kind, to, _ in outbox(store)} == {("sar_code", ann.email)}


@pytest.mark.postgresql
@pytest.mark.clause("rights.access.verification")
def test_guessing_the_code_locks_it(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = case_of(store, "plain.eml", settings)
    (code,) = [
        m.group(1)
        for _, _, b in outbox(store)
        if (m := re.search(r"confirm: (\d{8})", b))
    ]
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for _ in range(verification.CODE_MAX_ATTEMPTS):
        with pytest.raises(VerificationFailed, match="wrong"):
            enter_code(store, settings, case_id, wrong)
    with pytest.raises(VerificationFailed, match="locked"):
        enter_code(store, settings, case_id, code)  # even the right code
    assert show_case(store, case_id).state == "verifying"


@pytest.mark.clause("rights.access.verification")
def test_former_customers_reused_address_is_not_a_verified_channel(
    store: Store, settings: Settings
) -> None:
    add_person(store, email_address="ann@example.com", status="closed")
    case_id = case_of(store, "plain.eml", settings)
    view = show_case(store, case_id)
    assert view.account_closed and view.risk == "high"
    assert not [o for o in outbox(store) if o[0] == "sar_code"]
    with pytest.raises(VerificationFailed):
        enter_code(store, settings, case_id, "00000000")


@pytest.mark.clause("rights.access.verification")
def test_negotiated_down_verification_needs_a_second_approver(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = case_of(store, "spoofed_dmarc_fail.eml", settings)
    officer = add_staff(store)
    with pytest.raises(VerificationFailed, match="no override proposal"):
        verification.approve_override(store, case_id, staff=officer.actor)
    verification.propose_override(
        store, case_id, staff=officer.actor, reason="requester sounded genuine"
    )
    with pytest.raises(VerificationFailed, match="second approver"):
        verification.approve_override(store, case_id, staff=officer.actor)
    assert show_case(store, case_id).state == "verifying"


def _counts(store: Store) -> dict[str, int]:
    rights = {
        "sar_cases",
        "sar_case_events",
        "rights_messages",
        "sar_challenges",
        "sar_verification_data",
        "outbox",
        "policy_subscriptions",
        "audit_entries",
        "audit_head",
        "audit_checkpoints",
        "mail_limits",
    }
    with store.session() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in Base.metadata.tables.items()
            if name not in rights
        }


@pytest.mark.clause("rights.access")
def test_an_access_request_never_deletes_or_adds_customer_data(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    add_call(
        store, ann.account_id, ann.phone, "+14155550100", dt.datetime.now(dt.UTC), "c1"
    )
    officer_of(store)  # the officer who enters the code is no customer data
    before = _counts(store)
    case_id = case_of(store, "plain.eml", settings)
    intake_message(store, message("thread_reply.eml"), settings=settings)
    (code,) = [
        m.group(1)
        for _, _, b in outbox(store)
        if (m := re.search(r"confirm: (\d{8})", b))
    ]
    enter_code(store, settings, case_id, code)
    decisions.fulfil(store, case_id, export_ref="export-1", actor="staff:1")
    assert _counts(store) == before


@pytest.mark.clause("rights.access.verification")
def test_asking_again_for_one_address_sends_no_second_code(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    # A form cannot be used to flood someone's mailbox: the repeat joins the
    # open case, known address or not (with a reference of its own:
    # test_abuse_intake.py).
    first = open_request(store, email=ann.email, settings=settings)
    open_request(store, email=ann.email.upper(), settings=settings)
    assert [kind for kind, _, _ in outbox(store)] == ["sar_code"]
    assert len(list_cases(store)) == 1
    open_request(store, email="nobody@example.net", settings=settings)
    open_request(store, email="nobody@example.net", settings=settings)
    assert len(list_cases(store)) == 2
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)
    assert open_request(store, email=ann.email, settings=settings, now=later) != first
    open_request(store, email=ann.email, settings=settings, channel="api")
    assert len(list_cases(store)) == 4
