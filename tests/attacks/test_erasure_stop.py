"""Attack: the person answers the erasure notice as it tells them to, and is erased anyway.

Clause: rights.access.verification (docs/verification.md, "Erasure: notice
and cooling-off"). The notice says: "You can also reply to this message
quoting {ref}, and we will stop it." A reply to the notice is taken in and
joined to the case (`message_joined`), and nothing else happens: no stop,
no alert to the officers, no check when `sar erase` runs after the
cooling-off. Whoever asked for the erasure (a stranger with the victim's
proof for a moment, or one officer, see test_one_officer.py) only needs
the victim to answer by mail instead of by the link.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select

from tests.attacks.conftest import Sink
from tests.attacks.world import DAY, long_ago, mailed_code, ref_of, request
from tests.factories import add_staff
from tutela.config import Settings
from tutela.errors import TutelaError
from tutela.mail import deliver
from tutela.rights import verification
from tutela.rights.erasure import erase_case
from tutela.rights.intake import intake_message
from tutela.store import Clock
from tutela.store.db import Store
from tutela.store.models import AuditEntry, OutboxMessage, Person

pytestmark = pytest.mark.clause("rights.access.verification")


def test_a_reply_to_the_erasure_notice_stops_the_erasure(
    store: Store, mail_settings: Settings, sink: Sink, clock: Clock
) -> None:
    victim = long_ago(store)
    case_id = request(store, mail_settings, victim.email, "erasure")
    code = mailed_code(store, mail_settings, sink, victim.email)
    officer = add_staff(store)
    verification.submit_code(
        store, case_id, code, staff=officer.actor, settings=mail_settings
    )
    erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    deliver(store, mail_settings)
    with store.session() as s:
        notice_id = s.scalar(
            select(OutboxMessage.message_id).where(
                OutboxMessage.kind == "sar_erasure_notice",
                OutboxMessage.to_address == victim.email,
            )
        )
    assert notice_id is not None
    ref = ref_of(store, case_id)
    domain = victim.email.rpartition("@")[2]
    reply = (
        f"Authentication-Results: mx.jive.example; dkim=pass header.d={domain}; "
        f"spf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}\r\n"
        f"From: Jennifer Kelly <{victim.email}>\r\n"
        "To: legal@jive.com\r\n"
        f"Subject: Re: Request for Deletion of your personal information [{ref}]\r\n"
        "Message-ID: <stop-please-1@kelly-plumbing.example>\r\n"
        f"In-Reply-To: {notice_id}\r\n"
        f"References: {notice_id}\r\n"
        "\r\n"
        f"I did not ask for this. Please stop {ref}: do not delete anything.\r\n"
    ).encode()
    joined = intake_message(store, reply, settings=mail_settings)
    assert joined.case_id == case_id  # the reply reached the case

    clock.advance(8 * DAY)
    with contextlib.suppress(TutelaError):
        erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    with store.session() as s:
        kept = s.get(Person, victim.person_id) is not None
    assert kept, "she replied to the notice as it told her to and was erased"


def test_an_officer_who_read_a_harmless_reply_releases_the_erasure(
    store: Store, mail_settings: Settings, sink: Sink, clock: Clock
) -> None:
    """A reply that does not object ("thanks") holds the erasure until read.

    The officer who read it releases it with `--replies-read`: the message
    is marked handled by them, the act is audited, and only then it runs.
    """
    victim = long_ago(store)
    case_id = request(store, mail_settings, victim.email, "erasure")
    code = mailed_code(store, mail_settings, sink, victim.email)
    officer = add_staff(store)
    verification.submit_code(
        store, case_id, code, staff=officer.actor, settings=mail_settings
    )
    erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    ref = ref_of(store, case_id)
    thanks = (
        f"From: Jennifer Kelly <{victim.email}>\r\n"
        "To: legal@jive.com\r\n"
        f"Subject: Thanks [{ref}]\r\n"
        "Message-ID: <thanks-1@kelly-plumbing.example>\r\n"
        "\r\n"
        "Thank you, go ahead.\r\n"
    ).encode()
    intake_message(store, thanks, settings=mail_settings)
    clock.advance(8 * DAY)
    with pytest.raises(TutelaError, match="--replies-read"):
        erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    erase_case(
        store, case_id, actor=officer.actor, settings=mail_settings, replies_read=True
    )
    with store.session() as s:
        assert s.get(Person, victim.person_id) is None
        read = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "sar.erasure_replies_read")
        ).all()
    assert [e.actor for e in read] == [officer.actor]
