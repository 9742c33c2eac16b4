"""Attack: a contact-point correction that leaves the old proof standing, or the new one trusted.

Clause: rights.access.verification (docs/verification.md, "Correcting a
contact point"). A correction ends the old value's holding and holds the
new one from now, unproven until its link is opened and useless for
verification for `corrected_contact_days`. Each test is a path where the
old value still proves the person, or the new, unconfirmed value receives
what only the person should, or where the change goes unflagged.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.attacks.conftest import Sink
from tests.attacks.world import (
    DAY,
    STRANGER,
    long_ago,
    mailed_code,
    request,
    verification_of,
)
from tests.factories import add_staff
from tutela.auth.signin import add_user
from tutela.collect.accounts.contacts import confirm_phone
from tutela.config import Settings
from tutela.errors import TutelaError
from tutela.mail import deliver
from tutela.rights import verification
from tutela.rights.correction import correct_case
from tutela.rights.erasure import erase_case
from tutela.rights.export import export_case
from tutela.store import CLOCK
from tutela.store.db import Store
from tutela.store.models import AuditEntry, Person

pytestmark = pytest.mark.clause("rights.access.verification")

OLD_PHONE = "+12025550111"
NEW_PHONE = "+12025550122"
TYPO = "jennifer.kelly@kelly-plumbimg.example"


def _verified_by_mail(
    store: Store, settings: Settings, sink: Sink, address: str, kind: str
) -> int:
    """A request from `address`, verified by the code mailed to it (as staff enter it)."""
    case_id = request(store, settings, address, kind)
    code = mailed_code(store, settings, sink, address)
    officer = add_staff(store)
    verification.submit_code(
        store, case_id, code, staff=officer.actor, settings=settings
    )
    return case_id


def test_a_phone_number_corrected_away_no_longer_verifies_the_person(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    """The old, verified contact phone stays "her line" after she corrected it.

    Steps: Jennifer proved her contact phone long ago (a `verified`
    holding). She changes numbers and asks for a correction, which is done.
    Her old number is recycled by her carrier to a stranger. The stranger
    asks for an erasure from their own address and asks to be called back
    on the old number; the call-back reaches the stranger, whose code makes
    Jennifer the subject at `high` (her line since two months), and
    `sar erase` schedules her deletion. The correction ended only the
    typed holding of the old number, never the verified one.
    """
    victim = long_ago(store, did=None, typed_phone=OLD_PHONE)
    with CLOCK.moved(-60 * DAY), store.session() as s:
        person = s.get(Person, victim.person_id)
        assert person is not None
        confirm_phone(s, person=person)
    correction = _verified_by_mail(
        store, mail_settings, sink, victim.email, "correction"
    )
    officer = add_staff(store)
    correct_case(
        store,
        correction,
        changes={"phone": NEW_PHONE},
        actor=officer.actor,
        settings=mail_settings,
    )

    case_id = request(store, mail_settings, STRANGER, "erasure")
    try:
        _, code = verification.send_phone_code(
            store, case_id, OLD_PHONE, staff=officer.actor, settings=mail_settings
        )
        # Whoever answers the old number now (the stranger) reads it back.
        verification.submit_code(
            store, case_id, code, staff=officer.actor, settings=mail_settings
        )
    except TutelaError:
        pass
    _state, level, people = verification_of(store, case_id)
    assert victim.person_id not in people, (
        "a number Jennifer corrected away still makes its new holder her"
    )
    assert level != "high"


def test_an_erasure_after_a_contact_correction_is_told_to_the_address_it_replaced(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    """Correction, then erasure: the stop link goes only to the new address.

    Steps: with a moment's access to Jennifer's mailbox, an attacker opens
    two requests from her address, a correction and an erasure, and reads
    both codes there (her address is two months old: `high` for both).
    The correction sets her e-mail to the attacker's. `sar erase` then
    mails the notice and its stop link to "every address on file", which
    is now the attacker's alone: Jennifer's own address, replaced minutes
    ago and not yet confirmed away, never hears of the erasure.
    """
    victim = long_ago(store)
    correction = _verified_by_mail(
        store, mail_settings, sink, victim.email, "correction"
    )
    erasure = _verified_by_mail(store, mail_settings, sink, victim.email, "erasure")
    officer = add_staff(store)
    correct_case(
        store,
        correction,
        changes={"email": STRANGER},
        actor=officer.actor,
        settings=mail_settings,
    )
    erase_case(store, erasure, actor=officer.actor, settings=mail_settings)
    deliver(store, mail_settings)
    told = [
        m
        for m in sink.to(victim.email)
        if str(m["Subject"] or "").startswith("Request for Deletion of your")
    ]
    assert told, "the address the correction replaced got no erasure notice"


def test_an_unconfirmed_corrected_address_receives_no_export_link(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    """A mistyped (or hostile) corrected address gets the person's export.

    Steps: Jennifer asks to correct her e-mail and the officer types it with
    a typo; the confirmation link goes to the typo's domain and is never
    opened. Jennifer then asks for a copy from her portal sign-in address
    and proves it with the code sent there. The download link goes to the
    unconfirmed, mistyped address on her record, not to any address she
    proved: whoever holds that domain downloads her data.
    """
    victim = long_ago(store)
    login = "jennifer.portal@kelly-plumbing.example"
    with CLOCK.moved(-60 * DAY):
        add_user(
            store,
            email=login,
            role="customer_admin",
            person_id=victim.person_id,
            password="her-own-portal-password",
        )
    correction = _verified_by_mail(
        store, mail_settings, sink, victim.email, "correction"
    )
    officer = add_staff(store)
    correct_case(
        store,
        correction,
        changes={"email": TYPO},
        actor=officer.actor,
        settings=mail_settings,
    )
    access = _verified_by_mail(store, mail_settings, sink, login, "access")
    export_case(store, access, settings=mail_settings)
    deliver(store, mail_settings)
    leaked = [m for m in sink.to(TYPO) if "/rights/download/" in m.get_content()]
    assert not leaked, "the export link went to an address nobody confirmed"


def test_a_correction_to_an_address_someone_else_holds_is_flagged(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    """Adding a contact with a held address is flagged; correcting to one is not.

    Steps: a correction sets Jennifer's address to the one her colleague
    Dana has held for months. From now the address has two holders (Dana's
    own requests verify nobody) and the confirmation link goes to Dana's
    mailbox, yet no `contact.shared_address` entry tells the officers.
    """
    victim = long_ago(store)
    colleague = long_ago(
        store,
        name="Dana Colleague",
        email="dana@kelly-plumbing.example",
        did="+12015550177",
        account_id=victim.account_id,
    )
    correction = _verified_by_mail(
        store, mail_settings, sink, victim.email, "correction"
    )
    officer = add_staff(store)
    correct_case(
        store,
        correction,
        changes={"email": colleague.email},
        actor=officer.actor,
        settings=mail_settings,
    )
    with store.session() as s:
        flagged = s.scalars(
            select(AuditEntry.seq).where(AuditEntry.action == "contact.shared_address")
        ).all()
    # Dana was added with her own address: nothing was shared before.
    assert flagged, "a correction made an address shared and nothing was flagged"
