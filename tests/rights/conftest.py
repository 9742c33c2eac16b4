"""Fixtures for the rights tests: people on file, a real SMTP sink, settings with it."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tutela.collect.accounts.contacts import add_person as collect_person
from tutela.collect.accounts.contacts import close_account, open_account
from tutela.config import Settings
from tutela.store.db import Store
from tutela.store.models import CallRecord

MESSAGES = Path(__file__).with_name("messages")
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Sink:
    """Messages a real aiosmtpd server on 127.0.0.1 received."""

    port: int
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        assert isinstance(raw, bytes)
        msg = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.received if address in rcpts]


@pytest.fixture
def sink() -> Iterator[Sink]:
    port = free_port()
    found = Sink(port)
    controller = Controller(found, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield found
    finally:
        controller.stop()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The sample mail was received by our MTA, mx.jive.example: its results count."""
    return settings.model_copy(update={"trusted_authserv_id": "mx.jive.example"})


@pytest.fixture
def mail_settings(settings: Settings, sink: Sink) -> Settings:
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": sink.port}
    )


@dataclass(frozen=True)
class OnFile:
    person_id: int
    account_id: int
    email: str
    phone: str


def add_person(
    store: Store,
    *,
    email_address: str = "ann@example.com",
    phone: str = "+14155550123",
    jurisdiction: str = "US-CA",
    status: str = "active",
    ref: str = "ACME-1",
) -> OnFile:
    with store.session() as session:
        account = open_account(
            session,
            organization="Acme Test Co",
            jurisdiction=jurisdiction,
            ref=ref,
        )
        person = collect_person(
            session,
            account=account,
            role="contact",
            name="Ann Example",
            email=email_address,
            phone=phone,
            postal_code="94105",
        )
        if status == "closed":
            close_account(session, account)
        return OnFile(person.id, account.id, email_address, phone)


def add_call(
    store: Store, account_id: int, src: str, dst: str, started: dt.datetime, key: str
) -> None:
    with store.session() as session:
        session.add(
            CallRecord(
                account_id=account_id,
                dedupe_key=key,
                source_format="test",
                src_raw=src,
                src_e164=src,
                dst_raw=dst,
                dst_e164=dst,
                started_at=started,
                ended_at=started + dt.timedelta(minutes=3),
                duration_s=180,
                billsec_s=170,
                disposition="ANSWERED",
                call_key=key,
            )
        )


@pytest.fixture
def ann(store: Store) -> OnFile:
    return add_person(store)


def message(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()
