"""Deliver the outbox: claimed by one worker, sent once, retried with backoff.

Clauses: changes.notice ("Jive will make a good faith effort to give notice
of changes by email": a notice the relay refuses is tried again, later and
later, up to `MAX_ATTEMPTS` times), changes.subscribe (every notice carries
its subscriber's one-click unsubscribe link, `tutela.mail.unsubscribe`), and
the rights.access.* clauses whose mail goes through the same outbox.

Several workers (`tutela worker`, `tutela sar deliver`, `policy publish`)
may run at once without sending a message twice:

1. *Claim.* In one short transaction, due rows (pending and past their
   `next_attempt_at`, or claimed by a worker whose lease ran out) are
   selected `FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent workers
   take disjoint rows, and marked `sending` with this run's claim id and a
   lease (`Settings.outbox_lease_seconds`). On SQLite the transaction holds
   the write lock from BEGIN (`Store.writing`), which makes select-and-mark
   atomic.
2. *Send.* No database lock is held while talking to the relay.
3. *Record.* After each message, its outcome is written where the row still
   carries this run's claim: `sent` (bodies holding a secret erased, an
   erasure answer's recipient forgotten), or back to `pending` with
   `attempts + 1` and the next try after
   `Settings.outbox_retry_seconds * 2^(attempts-1)` (at most an hour), or
   `failed` after `MAX_ATTEMPTS`.

A worker killed mid-run (SIGKILL, power cut) has recorded every message it
sent but the one in flight; its other claimed rows wait for the lease to
run out and are then sent by the next run, the one in flight again under
the same Message-ID (at most one duplicate per kill, and the receiver can
tell it).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from tutela.config import Settings
from tutela.mail.outbox import (
    ERASE_AFTER_SEND,
    FORGET_RECIPIENT_AFTER_SEND,
    FORGOTTEN_RECIPIENT,
    MAX_ATTEMPTS,
)
from tutela.mail.unsubscribe import add_unsubscribe
from tutela.store import Store, utcnow
from tutela.store.models import OutboxMessage, PolicySubscription

log = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=1)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "pending": self.pending}


def backoff(attempts: int, base_seconds: float) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed try."""
    seconds = base_seconds * (2 ** max(attempts - 1, 0))
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            OutboxMessage.status == "pending",
            or_(
                OutboxMessage.next_attempt_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
            ),
        ),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now),
    )


def claim(
    store: Store, *, limit: int, now: dt.datetime, lease: dt.timedelta
) -> tuple[str, list[int]]:
    """Take up to `limit` due rows for this run: (claim id, row ids)."""
    claim_id = secrets.token_hex(16)
    with store.writing() as session:
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(_due(now))
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(status="sending", claim=claim_id, claimed_until=now + lease)
            )
    return claim_id, ids


def email_of(row: OutboxMessage, sender: str) -> EmailMessage:
    """The message a row stands for (its unsubscribe link added separately)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Message-ID"] = row.message_id
    msg["Auto-Submitted"] = "auto-generated"
    if row.in_reply_to:
        msg["In-Reply-To"] = row.in_reply_to
        msg["References"] = row.in_reply_to
    msg.set_content(row.body or "")
    return msg


@dataclass(frozen=True)
class _Outgoing:
    row_id: int
    kind: str
    to: str
    message: EmailMessage


def _outgoing(store: Store, ids: list[int], settings: Settings) -> list[_Outgoing]:
    # May write (an unsubscribe token made on first use): lock up front.
    with store.writing() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
        )
        found = []
        for row in rows:
            message = email_of(row, settings.mail_from)
            _add_unsubscribe(session, row, message, settings)
            found.append(_Outgoing(row.id, row.kind, row.to_address, message))
        return found


def _add_unsubscribe(
    session: Session, row: OutboxMessage, message: EmailMessage, settings: Settings
) -> None:
    if row.subscription_id is None:
        return
    subscription = session.get(PolicySubscription, row.subscription_id)
    if subscription is not None:
        add_unsubscribe(message, row, subscription, settings)


def _record(
    store: Store,
    item: _Outgoing,
    claim_id: str,
    error: BaseException | None,
    settings: Settings,
    report: DeliveryReport,
) -> None:
    now = utcnow()
    # Reads, then writes, while other workers write: take the lock up front.
    with store.writing() as session:
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id == item.row_id, OutboxMessage.claim == claim_id
            )
        ).one_or_none()
        if row is None:  # the lease ran out and another run took the row
            log.warning("outbox.claim_lost outbox_id=%d", item.row_id)
            return
        row.attempts += 1
        row.claim, row.claimed_until = None, None
        if error is None:
            _sent(row, now)
            report.sent += 1
            log.info("outbox.sent kind=%s outbox_id=%d", row.kind, row.id)
            return
        row.last_error = type(error).__name__
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            report.failed += 1
        else:
            row.status = "pending"
            row.next_attempt_at = now + backoff(
                row.attempts, settings.outbox_retry_seconds
            )
            report.pending += 1
        log.warning(
            "outbox.send_failed outbox_id=%d attempts=%d error=%s",
            row.id,
            row.attempts,
            row.last_error,
        )


def _sent(row: OutboxMessage, now: dt.datetime) -> None:
    row.status, row.sent_at, row.next_attempt_at = "sent", now, None
    if row.kind in ERASE_AFTER_SEND:
        row.body = None
    if row.kind in FORGET_RECIPIENT_AFTER_SEND:
        row.to_address = FORGOTTEN_RECIPIENT
        row.in_reply_to = None


def waiting(store: Store) -> int:
    """How many messages wait to be sent (pending or being sent)."""
    with store.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_(("pending", "sending")))
            )
            or 0
        )


def deliver(
    store: Store,
    settings: Settings,
    *,
    limit: int = 100,
    now: dt.datetime | None = None,
) -> DeliveryReport:
    """Claim and send up to `limit` due messages (see the module docstring).

    Without a relay (`Settings.smtp_host` unset) nothing is sent and the
    report counts what waits.
    """
    report = DeliveryReport()
    if settings.smtp_host is None:
        report.pending = waiting(store)
        return report
    lease = dt.timedelta(seconds=settings.outbox_lease_seconds)
    claim_id, ids = claim(store, limit=limit, now=now or utcnow(), lease=lease)
    if not ids:
        return report
    items = _outgoing(store, ids, settings)
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    except OSError as exc:
        log.warning("outbox.connect_failed error=%s", type(exc).__name__)
        for item in items:
            _record(store, item, claim_id, exc, settings, report)
        return report
    with smtp:
        for item in items:
            error: BaseException | None = None
            try:
                smtp.send_message(
                    item.message, from_addr=settings.mail_from, to_addrs=[item.to]
                )
            except (smtplib.SMTPException, OSError) as exc:
                error = exc
            _record(store, item, claim_id, error, settings, report)
    return report
