"""The transactional outbox: mail queued with the change that causes it.

Clauses: changes.subscribe and changes.notice (notice of policy changes by
e-mail), rights.access.request and rights.access.verification
(acknowledgements, one-time codes and decisions reach the requester only
through a verified channel).

Mail is written to the `outbox` table in the same transaction as the change
that causes it, so a crash never loses or invents a message.
`tutela.mail.delivery.deliver` sends due rows through an SMTP relay; several
workers may run at once and never send a row twice. Once a message with a
one-time code or a link is sent, its body is erased: the secret then exists
only as a hash.
"""

from __future__ import annotations

import logging
from email.utils import make_msgid

from sqlalchemy.orm import Session

from tutela.store.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Messages carrying a secret (a code, a download link) keep no body once sent.
ERASE_AFTER_SEND = frozenset(
    {"sar_code", "sar_export", "sar_erasure", "sub_confirm", "unsub_link"}
)
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
