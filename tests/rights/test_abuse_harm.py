"""Abuse: proof that matches the harm (issue "Proof that matches the harm").

Each test is an attack that once erased, redirected or read another
person's data, tried against the running domain (intake, verification,
erasure, correction) with real mail through a real SMTP sink. Waiting
periods are crossed by moving the product's clock, never by setting them
to zero.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select

from tests.factories import add_staff
from tests.rights.abuse_world import (
    ATTACKER_PHONE,
    JENNIFER_DID,
    JENNIFER_EMAIL,
    OTHER_PARTY,
    call,
    customer,
)
from tests.rights.conftest import Sink
from tutela.collect.accounts.contacts import add_person
from tutela.config import Settings
from tutela.mail import deliver
from tutela.rights import verification
from tutela.rights.alerts import send_alerts
from tutela.rights.cases import show_case
from tutela.rights.cooling_off import stop_erasure
from tutela.rights.correction import confirm_contact, correct_case
from tutela.rights.erasure import erase_case
from tutela.rights.proof import ProofTooWeak
from tutela.rights.requests import case_id_for_ref, open_request
from tutela.rights.verification import VerificationFailed
from tutela.store import CLOCK, Clock
from tutela.store.db import Store
from tutela.store.models import (
    Account,
    AuditEntry,
    Holding,
    Person,
    SarCase,
    SarCaseEvent,
)

ATTACKER_EMAIL = "mallory@attacker.example"
DAY = dt.timedelta(days=1)


def _long_ago(store: Store, days: int = 60, **kw: object) -> int:
    """Jennifer, on file (address and line) since `days` ago; her person id."""
    with CLOCK.moved(-days * DAY):
        return customer(store, **kw).person_id  # type: ignore[arg-type]


def _request(store: Store, settings: Settings, email: str, kind: str) -> int:
    """A web-form request; the id of its case (a repeat joins the open one)."""
    ref = open_request(store, email=email, settings=settings, kind=kind)
    with store.session() as s:
        found = case_id_for_ref(s, ref)
    assert found is not None
    return found


def _code(sink: Sink, address: str) -> str | None:
    for msg in reversed(sink.to(address)):
        found = re.search(r"confirm: (\d{8})", msg.get_content())
        if found:
            return found.group(1)
    return None


def _link(sink: Sink, address: str, path: str) -> str:
    for msg in reversed(sink.to(address)):
        found = re.search(re.escape(path) + r"/([A-Za-z0-9_-]+)", msg.get_content())
        if found:
            return found.group(1)
    raise AssertionError(f"no {path} link was mailed")


def _events(store: Store, case_id: int) -> list[tuple[str, str | None]]:
    with store.session() as s:
        return [
            (e.actor, e.note)
            for e in s.scalars(
                select(SarCaseEvent)
                .where(SarCaseEvent.case_id == case_id)
                .order_by(SarCaseEvent.id)
            )
        ]


def _verify_by_email(
    store: Store, settings: Settings, sink: Sink, case_id: int, address: str
) -> verification.Outcome:
    deliver(store, settings)
    code = _code(sink, address)
    assert code is not None, "no code was mailed"
    officer = add_staff(store)
    return verification.submit_code(
        store, case_id, code, staff=officer.actor, settings=settings
    )


def _person_exists(store: Store, person_id: int) -> bool:
    with store.session() as s:
        return s.get(Person, person_id) is not None


# ------------------------------------------------------------ 1. erasure


@pytest.mark.clause("rights.access.verification")
def test_someone_the_victim_phoned_cannot_verify_an_erasure_by_the_calls(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    """The receiver of two calls knows their number and time: they prove nothing."""
    jennifer = _long_ago(store)
    with store.session() as s:
        account = s.scalar(select(Person.account_id).where(Person.id == jennifer))
    t = CLOCK.now() - 2 * DAY
    call(store, int(account or 0), JENNIFER_DID, ATTACKER_PHONE, t, "j1")
    call(store, int(account or 0), JENNIFER_DID, ATTACKER_PHONE, t + DAY, "j2")
    case_id = _request(store, mail_settings, ATTACKER_EMAIL, "erasure")
    deliver(store, mail_settings)

    assert _code(sink, ATTACKER_EMAIL) is None
    assert not hasattr(verification, "submit_data_points")
    officer = add_staff(store)
    # A call-back to the attacker's own phone proves only that number: it
    # makes the attacker no one else, and never proves enough to erase.
    _, code = verification.send_phone_code(
        store, case_id, ATTACKER_PHONE, staff=officer.actor, settings=mail_settings
    )
    outcome = verification.submit_code(
        store, case_id, code, staff=add_staff(store).actor, settings=mail_settings
    )
    assert outcome.level == "reasonable"
    with store.session() as s:
        case = s.get(SarCase, case_id)
        assert case is not None and json.loads(case.person_ids) == []
    with pytest.raises(ProofTooWeak):
        erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    # Nor can the victim's own line be claimed: a call-back reaches her, not them.
    other_id = _request(store, mail_settings, "mallory2@attacker.example", "erasure")
    _, victims_code = verification.send_phone_code(
        store, other_id, JENNIFER_DID, staff=officer.actor, settings=mail_settings
    )
    with pytest.raises(VerificationFailed, match="wrong"):
        verification.submit_code(
            store,
            other_id,
            "00000000",
            staff=add_staff(store).actor,
            settings=mail_settings,
        )
    assert victims_code != "00000000"
    assert _person_exists(store, jennifer)


@pytest.mark.clause("rights.access.verification")
def test_an_erasure_needs_an_address_on_file_since_before_the_possession_period(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    """A contact added last week gets no erasure code; one of two months does."""
    newcomer = _long_ago(store, days=5)
    case_id = _request(store, mail_settings, JENNIFER_EMAIL, "erasure")
    deliver(store, mail_settings)
    assert _code(sink, JENNIFER_EMAIL) is None
    assert any(
        note and "address_too_new" in note for _, note in _events(store, case_id)
    )
    # The same person's access request is verified by a code as before.
    access_id = _request(store, mail_settings, JENNIFER_EMAIL, "access")
    outcome = _verify_by_email(store, mail_settings, sink, access_id, JENNIFER_EMAIL)
    assert outcome.verified and outcome.level == "reasonable"
    assert _person_exists(store, newcomer)


@pytest.mark.clause("rights.access.verification")
def test_an_access_level_verification_never_erases(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    jennifer = _long_ago(store, days=5)
    case_id = _request(store, mail_settings, JENNIFER_EMAIL, "erasure")
    officer = add_staff(store)
    # Her line is as new as her address: a call-back cannot raise the proof.
    with pytest.raises(VerificationFailed, match="needs a line on file since"):
        verification.send_phone_code(
            store, case_id, JENNIFER_DID, staff=officer.actor, settings=mail_settings
        )
    # Forced to "verified" at the access level, the erasure is still refused.
    with store.session() as s:
        case = s.get(SarCase, case_id)
        assert case is not None
        case.state, case.verification_level = "verified", "reasonable"
        case.person_ids = json.dumps([jennifer])
    with pytest.raises(ProofTooWeak):
        erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    assert _person_exists(store, jennifer)


@pytest.mark.clause("rights.access.verification")
@pytest.mark.clause("rights.access.request")
def test_an_erasure_is_announced_to_every_address_on_file_and_can_be_stopped(
    store: Store, mail_settings: Settings, sink: Sink, clock: Clock
) -> None:
    jennifer = _long_ago(store)
    case_id = _request(store, mail_settings, JENNIFER_EMAIL, "erasure")
    outcome = _verify_by_email(store, mail_settings, sink, case_id, JENNIFER_EMAIL)
    assert outcome.level == "high"
    officer = add_staff(store)

    scheduled = erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    assert scheduled.state == "verified" and scheduled.erase_after is not None
    deliver(store, mail_settings)
    notices = [
        m
        for m in sink.to(JENNIFER_EMAIL)
        if "Nothing has been deleted" in m.get_content()
    ]
    assert len(notices) == 1
    # Too early: the cooling-off period protects her.
    clock.advance(6 * DAY)
    with pytest.raises(Exception, match="runs no earlier than"):
        erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    # She did not ask: she stops it with the link in the notice.
    token = _link(sink, JENNIFER_EMAIL, "/rights/erasure/stop")
    stopped = stop_erasure(
        store, settings=mail_settings, token=token, actor="public:test"
    )
    assert stopped.state == "rejected"
    assert stopped.decision_reason == "stopped_by_subject"
    clock.advance(2 * DAY)
    with pytest.raises(Exception, match="only a verified request"):
        erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    assert _person_exists(store, jennifer)
    # The link is single-use.
    with pytest.raises(Exception, match="stops nothing"):
        stop_erasure(store, settings=mail_settings, token=token, actor="public:test")


@pytest.mark.clause("rights.access.verification")
def test_an_erasure_runs_after_the_cooling_off_and_keeps_who_asked(
    store: Store, mail_settings: Settings, sink: Sink, clock: Clock
) -> None:
    jennifer = _long_ago(store)
    case_id = _request(store, mail_settings, JENNIFER_EMAIL, "erasure")
    _verify_by_email(store, mail_settings, sink, case_id, JENNIFER_EMAIL)
    officer = add_staff(store)
    erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    clock.advance(
        mail_settings.erasure_cooling_off_days * DAY + dt.timedelta(minutes=1)
    )

    done = erase_case(store, case_id, actor=officer.actor, settings=mail_settings)

    assert done.state == "fulfilled"
    assert not _person_exists(store, jennifer)
    with store.session() as s:
        case = s.get(SarCase, case_id)
        assert case is not None
        assert case.requester_address is None
        assert case.erasure_requester == JENNIFER_EMAIL
        assert case.stop_digest is None


# ------------------------------------------------------------ 2. correction


def _verified_case(
    store: Store, settings: Settings, sink: Sink, kind: str, address: str
) -> int:
    case_id = _request(store, settings, address, kind)
    _verify_by_email(store, settings, sink, case_id, address)
    return case_id


@pytest.mark.clause("rights.access.verification")
def test_a_correction_at_the_access_level_cannot_redirect_the_address(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    jennifer = _long_ago(store, days=5)
    case_id = _verified_case(store, mail_settings, sink, "correction", JENNIFER_EMAIL)
    officer = add_staff(store)
    with pytest.raises(ProofTooWeak):
        correct_case(
            store,
            case_id,
            changes={"email": ATTACKER_EMAIL},
            actor=officer.actor,
            settings=mail_settings,
        )
    # A name is no redirect: the same proof corrects it.
    view = correct_case(
        store,
        case_id,
        changes={"name": "Jennifer Kelly-Smith"},
        actor=officer.actor,
        settings=mail_settings,
    )
    assert view.state == "fulfilled"
    with store.session() as s:
        person = s.get(Person, jennifer)
        assert person is not None and person.email == JENNIFER_EMAIL


@pytest.mark.clause("rights.access.verification")
def test_a_corrected_address_is_new_unproven_and_told_to_the_old_one(
    store: Store, mail_settings: Settings, sink: Sink, clock: Clock
) -> None:
    jennifer = _long_ago(store)
    case_id = _verified_case(store, mail_settings, sink, "correction", JENNIFER_EMAIL)
    officer = add_staff(store)
    new_address = "jk@new-home.example"
    correct_case(
        store,
        case_id,
        changes={"email": new_address},
        actor=officer.actor,
        settings=mail_settings,
    )
    deliver(store, mail_settings)
    told = [m for m in sink.to(JENNIFER_EMAIL) if "was changed" in m.get_content()]
    assert told, "the old address was not told"
    with store.session() as s:
        rows = s.scalars(
            select(Holding).where(
                Holding.person_id == jennifer, Holding.kind == "email"
            )
        ).all()
        new = [h for h in rows if h.email == new_address]
        old = [h for h in rows if h.email == JENNIFER_EMAIL]
        assert len(new) == 1 and new[0].origin == "correction"
        assert new[0].confirmed_at is None
        assert old and all(h.valid_to is not None for h in old)
        # Held from the moment the old holding ended, never back-dated to the
        # old one's start (compared stored value to stored value, not to a
        # wall-clock reading).
        ended = {h.valid_to for h in old}
        assert new[0].valid_from in ended
        assert min(h.valid_from for h in old) < new[0].valid_from - 59 * DAY

    # Unconfirmed: an access request from the new address gets no code.
    access_id = _request(store, mail_settings, new_address, "access")
    deliver(store, mail_settings)
    assert _code(sink, new_address) is None
    assert show_case(store, access_id).state == "verifying"

    # Confirmed, but within the waiting period: still no code.
    confirm_contact(store, _link(sink, new_address, "/rights/contact/confirm"))
    second = _request(store, mail_settings, new_address, "access")
    deliver(store, mail_settings)
    assert _code(sink, new_address) is None

    # After it, access is verified at the access level, never erasure's.
    clock.advance((mail_settings.corrected_contact_days + 1) * DAY)
    third = _request(store, mail_settings, new_address, "access")
    outcome = _verify_by_email(store, mail_settings, sink, third, new_address)
    assert outcome.verified and outcome.level == "reasonable"
    erasure = _request(store, mail_settings, new_address, "erasure")
    deliver(store, mail_settings)
    assert show_case(store, erasure).state == "verifying"
    assert show_case(store, second).state == "verifying"


# ------------------------------------------------------------ 4. shared address


@pytest.mark.clause("rights.access.verification")
def test_an_address_two_people_hold_verifies_nobody_and_goes_to_an_officer(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    departed = _long_ago(store, email="desk@kelly-plumbing.example", did=None)
    with store.session() as s:
        account_id = s.scalar(select(Person.account_id).where(Person.id == departed))
        account = s.get(Account, account_id)
        assert account is not None
        newcomer = add_person(
            s,
            account=account,
            role="contact",
            name="Pat Newcomer",
            email="desk@kelly-plumbing.example",
        ).id
    with store.session() as s:
        flagged = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "contact.shared_address")
        ).all()
    assert len(flagged) == 1

    officer = add_staff(store)
    case_id = _request(store, mail_settings, "desk@kelly-plumbing.example", "access")
    deliver(store, mail_settings)
    assert _code(sink, "desk@kelly-plumbing.example") is None
    assert send_alerts(store, settings=mail_settings).officers >= 1
    deliver(store, mail_settings)
    assert any("needs an officer" in str(m["Subject"]) for m in sink.to(officer.email))

    # An override must say whose request it is; then it reaches that one person.
    with pytest.raises(Exception, match="name the one it is about"):
        verification.propose_override(
            store, case_id, staff=officer.actor, reason="checked by phone"
        )
    verification.propose_override(
        store,
        case_id,
        staff=officer.actor,
        reason="checked by phone",
        person_id=newcomer,
    )
    second = add_staff(store)
    verification.approve_override(store, case_id, staff=second.actor)  # the one
    with store.session() as s:
        case = s.get(SarCase, case_id)
        assert case is not None and json.loads(case.person_ids) == [newcomer]


# ------------------------------------------------------------ 10. call-back


@pytest.mark.clause("rights.access.verification")
def test_a_call_back_to_a_number_not_the_matched_persons_verifies_nobody(
    store: Store, mail_settings: Settings
) -> None:
    _long_ago(store)
    case_id = _request(store, mail_settings, JENNIFER_EMAIL, "access")
    officer = add_staff(store)
    with pytest.raises(VerificationFailed, match="not a line of the person"):
        verification.send_phone_code(
            store, case_id, OTHER_PARTY, staff=officer.actor, settings=mail_settings
        )
    assert show_case(store, case_id).state == "verifying"
    # Her own line works. The officer who read the code out cannot also enter
    # it (one officer alone could then verify anyone); a colleague does, and
    # the check is recorded as that colleague.
    _, code = verification.send_phone_code(
        store, case_id, JENNIFER_DID, staff=officer.actor, settings=mail_settings
    )
    with pytest.raises(VerificationFailed, match="another staff member"):
        verification.submit_code(
            store, case_id, code, staff=officer.actor, settings=mail_settings
        )
    colleague = add_staff(store)
    verification.submit_code(
        store, case_id, code, staff=colleague.actor, settings=mail_settings
    )
    events = _events(store, case_id)
    assert events[-1][0] == colleague.actor
    assert "system:support_inbox" not in {actor for actor, _ in events[-2:]}
