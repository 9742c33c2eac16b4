"""Deliver the outbox: claimed by one worker, sent once, retried with backoff.

Clauses: changes.notice ("Jive will make a good faith effort to give notice
of changes by email": a notice the relay refuses is tried again, later and
later, up to `MAX_ATTEMPTS` times), changes.subscribe (every notice carries
its subscriber's one-click unsubscribe link, RFC 8058 and RFC 2369), and the
rights.access.* clauses whose mail goes through the same outbox.

Several workers (`tutela worker`, `tutela sar deliver`, `policy publish`)
may run at once without sending a message twice:

1. *Claim.* In one short transaction, due rows (pending and past their
   `next_attempt_at`, or claimed by a worker whose lease ran out) are
   selected `FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent workers
   take disjoint rows, and marked `sending` with this run's claim id and a
   lease. On SQLite the transaction holds the write lock from BEGIN
   (`Store.writing`), which makes select-and-mark atomic.
2. *Send.* No database lock is held while talking to the relay.
3. *Record.* After each message, its outcome is written where the row still
   carries this run's claim: `sent` (bodies holding a secret erased), or
   back to `pending` with `attempts + 1` and the next try after
   `Settings.outbox_retry_seconds * 2^(attempts-1)` (at most an hour), or
   `failed` after `MAX_ATTEMPTS`.
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

from tutela.changes.optin import UNSUBSCRIBE_PATH, unsubscribe_token
from tutela.changes.outbox import (
    ERASE_AFTER_SEND,
    MAX_ATTEMPTS,
    DeliveryReport,
    _email,
)
from tutela.config import Settings
from tutela.store.db import Store
from tutela.store.models import OutboxMessage, PolicySubscription
from tutela.store.types import utcnow

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
MAX_BACKOFF = dt.timedelta(hours=1)
ONE_CLICK = "List-Unsubscribe=One-Click"


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
    store: Store, *, limit: int, now: dt.datetime, lease: dt.timedelta = LEASE
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


@dataclass(frozen=True)
class _Outgoing:
    row_id: int
    kind: str
    to: str
    message: EmailMessage


def _unsubscribe(
    session: Session, row: OutboxMessage, message: EmailMessage, settings: Settings
) -> None:
    """The one-click unsubscribe headers (RFC 8058) and the link in the text."""
    if row.subscription_id is None:
        return
    subscription = session.get(PolicySubscription, row.subscription_id)
    if subscription is None:
        return
    url = settings.public_link(UNSUBSCRIBE_PATH + unsubscribe_token(subscription))
    message["List-Unsubscribe"] = (
        f"<{url}>, <mailto:{settings.mail_from}?subject=Unsubscribe>"
    )
    message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(
        (row.body or "").rstrip("\n") + f"\n\n--\nTo stop these notices, open: {url}\n"
    )


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
            message = _email(row, settings.mail_from)
            _unsubscribe(session, row, message, settings)
            found.append(_Outgoing(row.id, row.kind, row.to_address, message))
        return found


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
            row.status, row.sent_at, row.next_attempt_at = "sent", now, None
            if row.kind in ERASE_AFTER_SEND:
                row.body = None
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


def deliver_batch(
    store: Store,
    settings: Settings,
    *,
    limit: int = 100,
    now: dt.datetime | None = None,
) -> DeliveryReport:
    """Claim and send up to `limit` due messages (see the module docstring)."""
    report = DeliveryReport()
    if settings.smtp_host is None:
        report.pending = waiting(store)
        return report
    claim_id, ids = claim(store, limit=limit, now=now or utcnow())
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
                    item.message,
                    from_addr=settings.mail_from,
                    to_addrs=[item.to],
                )
            except (smtplib.SMTPException, OSError) as exc:
                error = exc
            _record(store, item, claim_id, error, settings, report)
    return report
