"""Transactional outbox and its SMTP sender.

Clauses: changes.subscribe and changes.notice (notice of policy changes by
e-mail), rights.access.request and rights.access.verification
(acknowledgements, one-time codes and decisions reach the requester only
through a verified channel).

Mail is written to the `outbox` table in the same transaction as the change
that causes it, so a crash never loses or invents a message. `deliver`
sends pending rows through an SMTP relay (`Settings.smtp_host/smtp_port`)
with `smtplib`; several workers may run at once (PostgreSQL hands each row
to one worker with `FOR UPDATE SKIP LOCKED`). Once a message with a one-time
code is sent, its body is erased: the code then exists only as a hash.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.config import Settings
from tutela.store import Store
from tutela.store.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Messages carrying a secret (a code, a download link) keep no body once sent.
ERASE_AFTER_SEND = frozenset({"sar_code", "sar_export", "sar_erasure"})
# The answer to an erasure request is the last thing sent to the erased
# subject: once sent, their address goes too (`tutela.rights.erasure`).
FORGET_RECIPIENT_AFTER_SEND = frozenset({"sar_erasure"})
FORGOTTEN_RECIPIENT = "erased@erased.invalid"


def new_message_id(sender: str) -> str:
    domain = sender.rpartition("@")[2] or "tutela.invalid"
    return make_msgid(idstring="tutela", domain=domain)


def enqueue(
    session: Session,
    *,
    kind: str,
    to: str,
    subject: str,
    body: str,
    sender: str,
    case_id: int | None = None,
    in_reply_to: str | None = None,
) -> OutboxMessage:
    """Add one outgoing message to the outbox (committed with the caller)."""
    row = OutboxMessage(
        kind=kind,
        message_id=new_message_id(sender),
        in_reply_to=in_reply_to,
        to_address=to,
        subject=subject,
        body=body,
        case_id=case_id,
        status="pending",
        attempts=0,
    )
    session.add(row)
    session.flush()
    log.info("outbox.enqueued kind=%s outbox_id=%d", kind, row.id)
    return row


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "pending": self.pending}


def _email(row: OutboxMessage, sender: str) -> EmailMessage:
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


def deliver(store: Store, settings: Settings, *, limit: int = 100) -> DeliveryReport:
    """Send up to `limit` pending messages; failures are retried up to 5 times.

    One message per transaction: a worker killed mid-run (SIGKILL, power
    cut) has committed every message it sent but the one in flight, which
    the next run sends again under the same Message-ID (at least once, at
    most one duplicate per kill, and the receiver can tell it).
    """
    report = DeliveryReport()
    if settings.smtp_host is None:
        with store.session() as session:
            report.pending = len(
                list(
                    session.scalars(
                        select(OutboxMessage.id).where(
                            OutboxMessage.status == "pending"
                        )
                    )
                )
            )
        return report
    relay = _Relay(settings.smtp_host, settings.smtp_port)
    last_id = 0
    try:
        for _ in range(limit):
            with store.session() as session:
                row = session.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.status == "pending", OutboxMessage.id > last_id
                    )
                    .order_by(OutboxMessage.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if row is None:
                    break
                last_id = row.id
                _send(relay, row, settings, report)
    finally:
        relay.close()
    return report


class _Relay:
    """The SMTP connection of one `deliver` run: opened once, at first need."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: OSError | None = None

    def connection(self) -> smtplib.SMTP:
        if self.unreachable is not None:
            raise self.unreachable
        if self.smtp is None:
            try:
                self.smtp = smtplib.SMTP(self.host, self.port, timeout=30)
            except OSError as exc:
                self.unreachable = exc
                log.warning("outbox.connect_failed error=%s", type(exc).__name__)
                raise
        return self.smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()


def _send(
    relay: _Relay, row: OutboxMessage, settings: Settings, report: DeliveryReport
) -> None:
    try:
        relay.connection().send_message(
            _email(row, settings.mail_from),
            from_addr=settings.mail_from,
            to_addrs=[row.to_address],
        )
    except (smtplib.SMTPException, OSError) as exc:
        _failed(row, exc, report)
        return
    row.status = "sent"
    row.sent_at = dt.datetime.now(dt.UTC)
    row.attempts += 1
    if row.kind in ERASE_AFTER_SEND:
        row.body = None
    if row.kind in FORGET_RECIPIENT_AFTER_SEND:
        row.to_address = FORGOTTEN_RECIPIENT
        row.in_reply_to = None
    report.sent += 1
    log.info("outbox.sent kind=%s outbox_id=%d", row.kind, row.id)


def _failed(row: OutboxMessage, exc: BaseException, report: DeliveryReport) -> None:
    row.attempts += 1
    row.last_error = type(exc).__name__
    if row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
        report.failed += 1
    else:
        report.pending += 1
    log.warning("outbox.send_failed outbox_id=%d error=%s", row.id, row.last_error)
