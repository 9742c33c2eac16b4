"""Outbound mail through a real SMTP server, and the SMTP listener for the legal address."""

from __future__ import annotations

import re
import smtplib

import pytest
from sqlalchemy import func, select

from tests.rights.conftest import OnFile, Sink, free_port, message
from tutela.config import Settings
from tutela.mail import deliver
from tutela.rights.intake import intake_message
from tutela.rights.smtp_listener import controller
from tutela.store.db import Store
from tutela.store.models import OutboxMessage, RightsMessage


def _body(sink: Sink, address: str, kind: str) -> str:
    found = [m for m in sink.to(address) if kind in str(m["Subject"])]
    assert len(found) == 1
    text = found[0].get_content()
    assert isinstance(text, str)
    return text


@pytest.mark.clause("rights.access.verification")
def test_acknowledgement_is_identical_for_known_and_unknown_requesters(
    store: Store, mail_settings: Settings, sink: Sink, ann: OnFile
) -> None:
    intake_message(store, message("plain.eml"), settings=mail_settings)
    intake_message(store, message("lookalike_domain.eml"), settings=mail_settings)
    assert deliver(store, mail_settings).sent == 3  # two acknowledgements, one code
    known = _body(sink, "ann@example.com", "has been received")
    unknown = _body(sink, "ann@examp1e.com", "has been received")
    mask = re.compile(r"SAR-[0-9A-F]{8}")
    assert mask.sub("SAR-X", known) == mask.sub("SAR-X", unknown)
    codes = [
        m for rcpts, m in sink.received if "Verification code" in str(m["Subject"])
    ]
    assert [
        r for r, m in sink.received if "Verification code" in str(m["Subject"])
    ] == [["ann@example.com"]]
    assert len(codes) == 1


@pytest.mark.clause("rights.access.verification")
def test_a_sent_code_is_erased_from_the_outbox(
    store: Store, mail_settings: Settings, sink: Sink, ann: OnFile
) -> None:
    intake_message(store, message("plain.eml"), settings=mail_settings)
    deliver(store, mail_settings)
    with store.session() as session:
        (code_row,) = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "sar_code")
        )
        assert code_row.status == "sent" and code_row.body is None


def test_undeliverable_mail_stays_pending(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    broken = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port()}
    )
    intake_message(store, message("plain.eml"), settings=broken)
    report = deliver(store, broken)
    assert report.sent == 0 and report.pending == 2


@pytest.mark.clause("rights.access.request")
def test_smtp_listener_stores_mail_for_the_legal_address(
    store: Store, settings: Settings
) -> None:
    port = free_port()
    server = controller(store, settings, port=port)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail(
                "ann@example.com", ["legal@jive.com"], message("aw_prefix.eml")
            )
            client.sendmail(
                "ann@example.com", ["legal@jive.com"], message("aw_prefix.eml")
            )
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail(
                    "ann@example.com", ["sales@jive.com"], message("plain.eml")
                )
    finally:
        server.stop()
    with store.session() as session:
        (row,) = session.scalars(select(RightsMessage))
        assert (row.route, row.channel) == ("access_request", "smtp")
        assert session.scalar(select(func.count()).select_from(RightsMessage)) == 1
