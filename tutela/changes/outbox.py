"""Transactional outbox and its SMTP sender.

Clauses: changes.subscribe and changes.notice (notice of policy changes by
e-mail), rights.access.request and rights.access.verification
(acknowledgements, one-time codes and decisions reach the requester only
through a verified channel).

Mail is written to the `outbox` table in the same transaction as the change
that causes it, so a crash never loses or invents a message. `deliver`
sends due rows through an SMTP relay (`Settings.smtp_host/smtp_port`)
with `smtplib`; several workers may run at once and never send a row twice
(`tutela.changes.delivery`). Once a message with a one-time
code is sent, its body is erased: the code then exists only as a hash.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy.orm import Session

from tutela.config import Settings
from tutela.store.db import Store
from tutela.store.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Messages carrying a secret (a code, a download link) keep no body once sent.
# (`sub_confirm` and `unsub_link`: subscription links, `tutela.changes.optin`.)
ERASE_AFTER_SEND = frozenset({"sar_code", "sar_export", "sub_confirm", "unsub_link"})


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
    subscription_id: int | None = None,
) -> OutboxMessage:
    """Add one outgoing message to the outbox (committed with the caller)."""
    row = OutboxMessage(
        subscription_id=subscription_id,
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
    """Send up to `limit` due messages; failures are retried with backoff, 5 times.

    One delivery path for every caller: `tutela.changes.delivery` (claimed
    rows, no double sending across workers).
    """
    from tutela.changes.delivery import deliver_batch  # it builds on this module

    return deliver_batch(store, settings, limit=limit)
