"""Communications a person volunteers: chats, emails, call notes, tickets.

Policy clauses enforced here:

- ``collect.volunteered``: "A person may voluntarily give information to Jive."
- ``collect.volunteered.channels``: "This includes information in a chat,
  email, phone call, service ticket or other communication with Jive." The
  channel is one of exactly those (``chat``, ``email``, ``phone_call``,
  ``ticket``, ``other``), checked here and by the database.
- ``collect.volunteered.uncontrolled``: "Jive does not control the nature of
  this information." The body is kept as given (any text up to 1 MiB) except
  that a card number typed into it (or the subject) is masked to its last
  four digits, and a card security code to asterisks ("cvv 737", three
  digits after a card and its expiry; PCI DSS: a security code is never
  stored), BEFORE the row is written, so neither sits in the database.
  In the same transaction the detectors in `tutela.collect.detect` find the
  personal data in it and `tutela.collect.communications.mentions` indexes it.

Bodies and subjects are never logged or quoted in an error.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Final

from sqlalchemy.orm import Session

from tutela.collect.accounts.contacts import optional_text, require_same_account
from tutela.collect.communications.mentions import (
    index_communication,
    mask_card_numbers,
)
from tutela.collect.detect.codes import mask_security_codes
from tutela.errors import InvalidInput
from tutela.store.models import Account, Communication, Person

log = logging.getLogger(__name__)

CHANNELS: Final = frozenset({"chat", "email", "phone_call", "ticket", "other"})
DIRECTIONS: Final = frozenset({"inbound", "outbound"})
MAX_BODY_BYTES: Final = 1024 * 1024


def _body(body: str) -> str:
    if not isinstance(body, str):
        raise InvalidInput("must be text", field="body")
    if not body.strip():
        raise InvalidInput("is empty", field="body")
    try:
        size = len(body.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidInput("is not valid Unicode text", field="body") from None
    if size > MAX_BODY_BYTES:
        raise InvalidInput(
            f"is {size} bytes; the limit is {MAX_BODY_BYTES} (1 MiB)", field="body"
        )
    if "\x00" in body:
        # PostgreSQL text cannot hold NUL; keep the message, mark where it was.
        log.info("communication.nul_replaced count=%d", body.count("\x00"))
        body = body.replace("\x00", "\ufffd")
    return body


def _subject(subject: str | None) -> str | None:
    if subject is None:
        return None
    if not isinstance(subject, str):
        raise InvalidInput("must be text", field="subject")
    # Mail clients fold long subject lines; unfold them onto one line.
    return optional_text(" ".join(subject.split()), field="subject", max_len=300)


def _occurred_at(occurred_at: dt.datetime) -> dt.datetime:
    if not isinstance(occurred_at, dt.datetime):
        raise InvalidInput("must be a date and time", field="occurred_at")
    if occurred_at.tzinfo is None or occurred_at.utcoffset() is None:
        raise InvalidInput("must carry a time zone", field="occurred_at")
    return occurred_at.astimezone(dt.UTC)


def _masked(text: str) -> str:
    """Card numbers and card security codes masked: neither is ever stored."""
    return mask_security_codes(mask_card_numbers(text))


def record_communication(
    session: Session,
    *,
    account: Account,
    channel: str,
    body: str,
    subject: str | None = None,
    person: Person | None = None,
    ticket_ref: str | None = None,
    direction: str = "inbound",
    occurred_at: dt.datetime,
) -> Communication:
    """Keep one message a person gave us (or we sent) on `channel`.

    `person` is the account's contact or end user who took part, when known;
    `ticket_ref` groups the messages of one support ticket. Card numbers in
    `subject` and `body` are stored masked; the message's personal data is
    indexed (`CommunicationMention`) before this returns.
    """
    if channel not in CHANNELS:
        raise InvalidInput(
            f"must be one of {', '.join(sorted(CHANNELS))}", field="channel"
        )
    if direction not in DIRECTIONS:
        raise InvalidInput("must be inbound or outbound", field="direction")
    if person is not None:
        require_same_account(account, person.account_id, field="person")
    ref = optional_text(ticket_ref, field="ticket_ref", max_len=32)
    heading = _subject(subject)
    text = _body(body)
    row = Communication(
        account_id=account.id,
        person_id=None if person is None else person.id,
        channel=channel,
        ticket_ref=ref,
        direction=direction,
        subject=None if heading is None else _masked(heading),
        body=_masked(text),
        occurred_at=_occurred_at(occurred_at),
    )
    session.add(row)
    session.flush()
    found = index_communication(session, row, account=account)
    log.info(
        "communication.recorded account_id=%s communication_id=%s channel=%s "
        "mentions=%d cards_masked=%d",
        account.id,
        row.id,
        channel,
        len(found),
        sum(d.kind == "card" for d in found),
    )
    return row
