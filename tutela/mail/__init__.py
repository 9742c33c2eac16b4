"""Mail in and out: the outbox, its delivery worker, mailbox reading, parsing.

Clauses: rights.access.request (requests arrive by e-mail and are answered
by e-mail), changes.subscribe (policy updates are e-mailed to
subscribers). Used by `tutela.rights` and `tutela.changes`.
"""

from tutela.mail.authentication import (
    LISTENER_AUTHSERV_ID,
    TxtLookup,
    authenticate,
    results_from,
    strip_untrusted,
    trusted_ids,
)
from tutela.mail.delivery import DeliveryReport, backoff, deliver, waiting
from tutela.mail.limits import (
    AddressLimited,
    AddressLimits,
    address_digest,
    check_request,
    count_request,
    limit_request,
)
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
    "AddressLimited",
    "AddressLimits",
    "DeliveryReport",
    "LISTENER_AUTHSERV_ID",
    "MAX_MESSAGE_BYTES",
    "MalformedMessage",
    "MessageTooLarge",
    "Parsed",
    "TxtLookup",
    "UNSUBSCRIBE_PATH",
    "add_unsubscribe",
    "address_digest",
    "authenticate",
    "backoff",
    "body_text",
    "check_request",
    "check_size",
    "clean_address",
    "count_request",
    "deliver",
    "enqueue",
    "html_text",
    "limit_request",
    "parse",
    "read_messages",
    "results_from",
    "run_worker",
    "strip_untrusted",
    "trusted_ids",
    "unsubscribe_token",
    "waiting",
]
