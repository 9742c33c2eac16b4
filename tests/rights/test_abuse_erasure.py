"""Attacks on erasure: a stranger must never erase (or correct) someone else's data.

Clauses: rights.access.verification (nothing is done before the subject is
verified, and only what the verification proved is reached) and
rights.access.request. Each attack was written as a failing test first;
the victim's data is counted before and after.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.factories import enter_code
from tests.rights.conftest import OnFile, Sink
from tests.rights.mails import mail
from tests.rights.test_erasure import (
    ANN_EMAIL,
    code_in,
    erase_after_notice,
    erasure_mail,
)
from tests.rights.test_export import build_world, verified_case
from tutela.access import Actor
from tutela.access.roles import Role
from tutela.config import Settings
from tutela.errors import Conflict
from tutela.mail import deliver
from tutela.rights import VerificationFailed
from tutela.rights.cases import show_case
from tutela.rights.decisions import fulfil
from tutela.rights.erasure import erase_case
from tutela.rights.inbox import list_inbox, route_message
from tutela.rights.intake import intake_message, open_request
from tutela.rights.requests import case_id_for_ref
from tutela.store import Clock
from tutela.store.db import Store
from tutela.store.models import CallRecord, Person, SarCase


def person_count(store: Store, person_id: int) -> int:
    with store.session() as s:
        return 0 if s.get(Person, person_id) is None else 1


def ann_calls(store: Store) -> int:
    with store.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(CallRecord)
                .where(CallRecord.src_e164 == "+14155550123")
            )
            or 0
        )


@pytest.mark.clause("rights.access.verification")
def test_a_spoofed_erasure_request_erases_nothing(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    world = build_world(store, mail_settings)
    spoofed = erasure_mail().replace(
        b"dkim=pass header.d=example.com; spf=pass smtp.mailfrom=example.com; "
        b"dmarc=pass",
        b"dkim=fail header.d=example.com; spf=fail smtp.mailfrom=attacker.example; "
        b"dmarc=fail",
    )
    case_id = intake_message(store, spoofed, settings=mail_settings).case_id
    assert case_id is not None
    deliver(store, mail_settings)
    case = show_case(store, case_id)
    assert case.kind == "erasure" and case.risk == "high"
    assert not sink.to(ANN_EMAIL)  # no code: a high-risk case needs a strong factor
    with pytest.raises(Conflict, match="only a verified request"):
        erase_case(store, case_id, actor="staff:1", settings=mail_settings)
    assert person_count(store, world.ann) == 1


@pytest.mark.clause("rights.access.verification")
def test_a_stranger_with_the_victims_address_cannot_guess_the_erasure(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    world = build_world(store, mail_settings)
    ref = open_request(
        store, email=ANN_EMAIL, settings=mail_settings, channel="web", kind="erasure"
    )
    with store.session() as s:
        case_id = case_id_for_ref(s, ref)
    assert case_id is not None
    deliver(store, mail_settings)
    real = code_in(sink, ANN_EMAIL)  # only the victim's mailbox holds it
    wrong = f"{(int(real) + 1) % 10**8:08d}"
    with pytest.raises(VerificationFailed):
        enter_code(store, mail_settings, case_id, wrong)
    with pytest.raises(Conflict):
        erase_case(store, case_id, actor="staff:1", settings=mail_settings)
    assert person_count(store, world.ann) == 1
    assert ann_calls(store) > 0


@pytest.mark.clause("rights.access.verification")
def test_a_verified_requester_erases_only_themselves(
    store: Store, mail_settings: Settings, clock: Clock
) -> None:
    world = build_world(store, mail_settings)
    before = ann_calls(store)
    case_id = verified_case(store, mail_settings, "bob@example.com")
    with store.session() as s:
        row = s.get(SarCase, case_id)
        assert row is not None
        row.kind = "erasure"
        row.verification_level = "high"  # as by a code to an address long on file
    erase_after_notice(store, case_id, mail_settings, clock)
    assert person_count(store, world.bob) == 0
    assert person_count(store, world.ann) == 1
    assert person_count(store, world.carol) == 1
    assert ann_calls(store) == before


@pytest.mark.clause("rights.access.request")
def test_an_access_case_cannot_erase_and_an_erasure_is_not_answered_by_export(
    store: Store, mail_settings: Settings
) -> None:
    world = build_world(store, mail_settings)
    access = verified_case(store, mail_settings, ANN_EMAIL)
    with pytest.raises(Conflict, match="not an erasure"):
        erase_case(store, access, actor="staff:1", settings=mail_settings)
    assert person_count(store, world.ann) == 1
    ref = open_request(
        store, email=ANN_EMAIL, settings=mail_settings, channel="api", kind="erasure"
    )
    with store.session() as s:
        erasure = case_id_for_ref(s, ref)
        assert erasure is not None and erasure != access  # no repeat across kinds
        row = s.get(SarCase, erasure)
        assert row is not None
        row.state = "verified"
    with pytest.raises(Conflict, match="export does not answer it"):
        fulfil(store, erasure, export_ref="EXP-1", actor="staff:1")


@pytest.mark.clause("rights.access.request")
def test_a_request_kind_the_form_does_not_know_is_refused(
    store: Store, mail_settings: Settings
) -> None:
    from tutela.errors import InvalidInput

    with pytest.raises(InvalidInput, match="kind"):
        open_request(
            store, email=ANN_EMAIL, settings=mail_settings, kind="everything'; --"
        )
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(SarCase)) == 0
        assert s.scalar(select(func.count()).select_from(Person)) == 0


@pytest.mark.clause("rights.access.request")
def test_a_misworded_deletion_request_in_the_inbox_can_become_an_erasure(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    arrived = dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC)
    result = intake_message(
        store,
        mail(ann.email, subject="please remove me", message_id="<rm@example.com>"),
        settings=settings,
        now=arrived,
    )
    assert result.route == "general"
    officer = Actor("staff:7", Role.privacy_officer)
    (item,) = list_inbox(store, actor=officer, now=arrived)
    assert item.id is not None
    routed = route_message(
        store, item.id, to="erasure", actor=officer, settings=settings
    )
    assert routed.case_id is not None
    view = show_case(store, routed.case_id)
    assert view.kind == "erasure" and view.received_at == arrived
    assert view.state == "verifying"  # verified like any request, nothing erased
    with store.session() as s:
        assert s.get(Person, ann.person_id) is not None
