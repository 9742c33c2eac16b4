"""Attack: mail a victim past the per-address limit through the SMTP listener.

Clauses: rights.access.request and rights.access.verification. Every mail
that somebody else's typing can cause counts against the address it goes
to (`tutela.mail.limits`): for a request by mail, the acknowledgement and
each code. The code is counted only for cases whose channel is `email`
(mail read by `tutela sar intake`); requests that arrive through `tutela
sar smtp` are cases of channel `smtp`, and their codes are not counted.
A stranger who writes the victim's address in From (no DMARC at the
victim's domain) gets the victim mailed past the limit.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from tests.attacks.world import long_ago
from tests.mail.senders import answering
from tests.rights.conftest import free_port
from tutela.config import Settings
from tutela.rights.smtp_listener import controller
from tutela.store.db import Store
from tutela.store.models import OutboxMessage

pytestmark = pytest.mark.clause("rights.access.request")


def test_the_smtp_listener_keeps_the_per_address_limit_for_codes(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone = answering(monkeypatch)  # the victim's domain publishes no SPF/DMARC
    victim = long_ago(store)
    limited = settings.model_copy(
        update={"mail_per_address_per_hour": 1, "mail_per_address_per_day": 1}
    )
    port = free_port()
    server = controller(store, limited, port=port, txt=zone.lookup)
    server.start()
    try:
        msg = EmailMessage()
        msg["From"] = victim.email  # forged: nothing at her domain says otherwise
        msg["To"] = "legal@jive.com"
        msg["Subject"] = "Subject Access Request"
        msg.set_content("Send me everything you hold about me.")
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(msg)
    finally:
        server.stop()  # and the work queued after the answer
    with store.session() as s:
        mailed = s.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.to_address == victim.email)
        ).all()
    assert len(mailed) <= 1, (
        f"a limit of one mail an hour, and the victim was mailed {sorted(mailed)}"
    )
