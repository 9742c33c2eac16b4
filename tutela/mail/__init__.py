"""Mail in and out: the outbox, its delivery worker, mailbox reading, parsing.

Clauses: rights.access.request (requests arrive by e-mail and are answered
by e-mail), changes.subscribe (policy updates are e-mailed to
subscribers). Used by `tutela.rights` and `tutela.changes`.
"""

from tutela.mail.delivery import DeliveryReport, backoff, deliver, waiting
from tutela.mail.mailboxes import (
    MAX_MESSAGE_BYTES,
    MessageTooLarge,
    check_size,
    read_messages,
)
from tutela.mail.outbox import enqueue
from tutela.mail.parsing import (
    MalformedMessage,
    Parsed,
    body_text,
    clean_address,
    html_text,
    parse,
)
from tutela.mail.unsubscribe import UNSUBSCRIBE_PATH, add_unsubscribe, unsubscribe_token
from tutela.mail.worker import run_worker

__all__ = [
    "DeliveryReport",
    "MAX_MESSAGE_BYTES",
    "MalformedMessage",
    "MessageTooLarge",
    "Parsed",
    "UNSUBSCRIBE_PATH",
    "add_unsubscribe",
    "backoff",
    "body_text",
    "check_size",
    "clean_address",
    "deliver",
    "enqueue",
    "html_text",
    "parse",
    "read_messages",
    "run_worker",
    "unsubscribe_token",
    "waiting",
]
