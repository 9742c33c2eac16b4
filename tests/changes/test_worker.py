"""Delivery workers: each notice sent exactly once, retried through a relay that fails.

Clauses: changes.notice ("a good faith effort to give notice of changes by
email"), changes.subscribe. A real aiosmtpd relay refuses (451, try later)
the first messages it is given, then recovers; two workers run at once in
threads against the same database (PostgreSQL: `FOR UPDATE SKIP LOCKED`;
SQLite: claims under the write lock). Every notice arrives exactly once and
every try is counted on its row.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from tests.rights.conftest import free_port
from tutela.changes import ANNOUNCEMENT_KIND, subscribe
from tutela.config import Settings
from tutela.errors import InvalidInput
from tutela.mail import backoff, deliver, enqueue, run_worker
from tutela.store.db import Store
from tutela.store.models import OutboxMessage

NOTICES = 24
REFUSED = 7


@dataclass
class FlakyRelay:
    """Refuses the first `refuse` messages with 451, then accepts every one."""

    refuse: int
    port: int = field(default_factory=free_port)
    refused: int = 0
    accepted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        with self.lock:
            if self.refused < self.refuse:
                self.refused += 1
                return "451 4.3.0 try again later"
            self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[FlakyRelay]:
    found = FlakyRelay(REFUSED)
    controller = Controller(found, hostname="127.0.0.1", port=found.port)
    controller.start()
    try:
        yield found
    finally:
        controller.stop()


def queue_notices(store: Store, count: int) -> list[str]:
    addresses = [f"subscriber{n}@example.net" for n in range(count)]
    with store.session() as session:
        for address in addresses:
            row = subscribe(session, address=address, verified=True)
            enqueue(
                session,
                kind=ANNOUNCEMENT_KIND,
                to=address,
                subject="Jive privacy policy updated: version test",
                body="A new version.",
                sender="legal@jive.com",
                subscription_id=row.id,
            )
    return addresses


def rows(store: Store) -> list[OutboxMessage]:
    with store.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.postgresql
@pytest.mark.clause("changes.notice")
def test_two_workers_deliver_each_notice_once_through_a_relay_that_recovers(
    store: Store, settings: Settings, relay: FlakyRelay
) -> None:
    addresses = queue_notices(store, NOTICES)
    configured = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": relay.port,
            "outbox_retry_seconds": 0,
        }
    )
    results = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(run_worker(store, configured, once=True, batch=5))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert sorted(relay.accepted) == sorted(addresses)  # each exactly once
    assert relay.refused == REFUSED
    assert sum(report.sent for report in results) == NOTICES
    delivered = rows(store)
    assert {row.status for row in delivered} == {"sent"}
    assert sum(row.attempts for row in delivered) == NOTICES + REFUSED
    assert sum(1 for row in delivered if row.attempts > 1) >= 1
    assert all(row.claim is None for row in delivered)


@pytest.mark.postgresql
@pytest.mark.clause("changes.notice")
def test_a_refused_notice_waits_for_its_backoff(
    store: Store, settings: Settings, relay: FlakyRelay
) -> None:
    queue_notices(store, 1)
    configured = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": relay.port}
    )
    relay.refuse = 1
    first = deliver(store, configured)
    assert (first.sent, first.pending) == (0, 1)
    (row,) = rows(store)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error == "SMTPDataError"
    again = deliver(store, configured)  # not due yet
    assert (again.sent, again.pending) == (0, 0)
    later = dt.datetime.now(dt.UTC) + backoff(1, configured.outbox_retry_seconds)
    done = deliver(store, configured, now=later + dt.timedelta(seconds=1))
    assert done.sent == 1
    (row,) = rows(store)
    assert (row.status, row.attempts) == ("sent", 2)


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n, 60).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(20, 60) == dt.timedelta(hours=1)


def test_a_worker_without_a_relay_is_refused(store: Store, settings: Settings) -> None:
    with pytest.raises(InvalidInput) as refused:
        run_worker(store, settings, once=True)
    assert refused.value.location.field == "smtp_host"
