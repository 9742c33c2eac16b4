"""Hostile mail: odd addresses, MIME bombs, poison in a mailbox or on the wire.

One poison message never blocks the ones after it: it is kept in quarantine
with its reason, the listener answers 5xx (not 451, which makes the sender
retry forever), and the good messages around it are stored.
"""

from __future__ import annotations

import mailbox
import smtplib
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.rights.conftest import Sink, free_port, message
from tests.rights.mails import mail, nested, outbox
from tutela.config import Settings
from tutela.mail import deliver
from tutela.mail.parsing import MAX_CONTAINERS
from tutela.rights.intake import (
    PoisonMessage,
    QuarantineBudget,
    intake_message,
    intake_path,
)
from tutela.rights.smtp_listener import controller
from tutela.store.db import Store
from tutela.store.models import RightsMessage, SarCase


def quarantined(store: Store) -> list[RightsMessage]:
    with store.session() as session:
        return list(
            session.scalars(
                select(RightsMessage).where(RightsMessage.flag == "quarantined")
            )
        )


@pytest.mark.clause("rights.access.request")
@pytest.mark.parametrize(
    "address", ["josé@example.es", "аnn@example.com", "Zoë.Müller@Bücher.example"]
)
def test_a_non_ascii_address_is_stored_and_acknowledged(
    store: Store, settings: Settings, address: str
) -> None:
    result = intake_message(
        store, mail(address, message_id="<utf8@example.es>"), settings=settings
    )
    assert result.case_id is not None
    with store.session() as session:
        case = session.get(SarCase, result.case_id)
        assert case is not None and case.requester_address == address.lower()
    assert outbox(store)[0] == ("sar_ack", address.lower())


def test_an_address_with_bytes_that_are_not_utf8_is_no_address(
    store: Store, settings: Settings
) -> None:
    raw = (
        b"From: Jos\xe9 <jos\xe9@example.es>\r\nTo: legal@jive.com\r\n"
        b"Subject: Subject Access Request \x00\r\nMessage-ID: <latin1@example.es>\r\n"
        b"\r\nhello\r\n"
    )
    result = intake_message(store, raw, settings=settings)
    assert result.route == "access_request"
    with store.session() as session:
        (row,) = session.scalars(select(RightsMessage))
        assert row.sender_address is None  # kept, but never written to
        assert row.subject == "Subject Access Request"
    assert outbox(store) == []


def test_an_acknowledgement_reaches_a_non_ascii_address_over_smtputf8(
    store: Store, settings: Settings
) -> None:
    sink = Sink(free_port())
    server = Controller(
        sink, hostname="127.0.0.1", port=sink.port, enable_SMTPUTF8=True
    )
    server.start()
    try:
        relay = settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": sink.port}
        )
        intake_message(
            store, mail("josé@example.es", message_id="<j@example.es>"), settings=relay
        )
        assert deliver(store, relay).sent == 1
    finally:
        server.stop()
    assert [str(m["Subject"]) for m in sink.to("josé@example.es")] != []


@pytest.mark.clause("rights.access.request")
def test_mime_nested_a_thousand_deep_is_quarantined_with_its_reason(
    store: Store, settings: Settings
) -> None:
    with pytest.raises(PoisonMessage, match="nested too deep") as refused:
        intake_message(store, nested(1000), settings=settings)
    assert refused.value.quarantined
    (kept,) = quarantined(store)
    assert kept.problem and "nested too deep" in kept.problem
    assert kept.route == "general" and kept.case_id is None
    # Within the bound, the same structure is an ordinary message.
    fine = intake_message(
        store, nested(MAX_CONTAINERS - 1, message_id="<ok@e.com>"), settings=settings
    )
    assert fine.route == "access_request"


@pytest.mark.clause("rights.access.request")
def test_a_poison_message_in_an_mbox_does_not_stop_the_messages_after_it(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    box_path = tmp_path / "legal.mbox"
    box = mailbox.mbox(box_path)
    box.add(message("plain.eml"))
    box.add(nested(1000))
    box.add(message("general_question.eml"))
    box.add(message("policy_updates.eml"))
    box.close()
    report = intake_path(store, box_path, settings=settings)
    assert [r.route for r in report.results] == [
        "access_request",
        "general",
        "policy_updates",
    ]
    assert len(report.rejected) == 1 and "#2" in report.rejected[0]
    assert report.quarantined == 1 and report.not_quarantined == 0
    again = intake_path(store, box_path, settings=settings)  # idempotent
    assert all(r.duplicate for r in again.results)
    assert len(quarantined(store)) == 1


def test_quarantine_is_capped_per_run_and_the_rest_is_counted(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    box_path = tmp_path / "poison.mbox"
    box = mailbox.mbox(box_path)
    for n in range(3):
        box.add(nested(1000, message_id=f"<deep-{n}@example.com>"))
    box.add(message("plain.eml"))
    box.close()
    report = intake_path(
        store, box_path, settings=settings, budget=QuarantineBudget(cap=2)
    )
    assert report.quarantined == 2 and report.not_quarantined == 1
    assert len(report.rejected) == 3 and "cap of 2" in report.rejected[2]
    assert [r.route for r in report.results] == ["access_request"]
    assert len(quarantined(store)) == 2


@pytest.mark.clause("rights.access.request")
def test_the_smtp_listener_refuses_poison_with_5xx_and_takes_the_next_message(
    store: Store, settings: Settings
) -> None:
    port = free_port()
    server = controller(store, settings, port=port)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            with pytest.raises(smtplib.SMTPDataError) as refused:
                client.sendmail("ann@example.com", ["legal@jive.com"], nested(1000))
            assert refused.value.smtp_code == 554
            client.sendmail(
                "josé@example.es",
                ["legal@jive.com"],
                mail("josé@example.es", message_id="<after@example.es>"),
                mail_options=["SMTPUTF8"],
            )
    finally:
        server.stop()
    with store.session() as session:
        rows = list(session.scalars(select(RightsMessage).order_by(RightsMessage.id)))
    assert [(r.flag, r.channel) for r in rows] == [
        ("quarantined", "smtp"),
        (None, "smtp"),
    ]
    assert rows[1].sender_address == "josé@example.es" and rows[1].case_id
