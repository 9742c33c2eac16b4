"""Mail in and out: the transactional outbox, SMTP delivery, mailbox reading, parsing.

Clauses: rights.access.request (requests arrive by e-mail and are answered
by e-mail), changes.subscribe (policy updates are e-mailed to
subscribers). Used by `tutela.rights` and `tutela.changes`.
"""

from tutela.mail.mailboxes import (
    MAX_MESSAGE_BYTES,
    MessageTooLarge,
    check_size,
    read_messages,
)
from tutela.mail.outbox import DeliveryReport, deliver, enqueue
from tutela.mail.parsing import (
    MalformedMessage,
    Parsed,
    body_text,
    clean_address,
    html_text,
    parse,
)

__all__ = [
    "DeliveryReport",
    "MAX_MESSAGE_BYTES",
    "MalformedMessage",
    "MessageTooLarge",
    "Parsed",
    "body_text",
    "check_size",
    "clean_address",
    "deliver",
    "enqueue",
    "html_text",
    "parse",
    "read_messages",
]
