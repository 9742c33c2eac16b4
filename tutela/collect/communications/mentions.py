"""The mention index: personal data inside communications, found, indexed, redacted.

Policy clauses enforced here:

- ``collect.volunteered``, ``collect.volunteered.channels``: chats, emails,
  call notes and tickets are scanned when they are recorded (same
  transaction), and every phone number, email, card, IBAN, IP address and
  known person's name found is indexed (`CommunicationMention`).
- ``collect.volunteered.uncontrolled``: "Jive does not control the nature of
  this information", so a card number may be typed into a chat. It is masked
  before the row is written (`tutela.collect.communications.record`), and the index
  keeps only the masked form.
- ``rights.access``: `mentions_of` finds the messages that mention a subject,
  and `redacted_for` masks everyone else's data in them for the export.

Who is a known person (tenant isolation): names are matched against the
people of the communication's own account only (a name is weak evidence, and
another tenant's "John Smith" is nobody's business here). An email or phone
number is an exact identifier: when no one in the account owns it, it is
attributed to the one person of any account who has it (a person's own
address in another customer's ticket is still their data); when several
people have it, to no one. Phone regions: the account's region first, then
`DEFAULT_REGIONS`. Nothing here logs a value; only ids and counts. Every
read (who is known, who holds an address) goes through the purpose gate:
inside the indexing write as the support inbox (`inbox_gate`), or through
the export's own gate (`redacted_for`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from tutela.access import Access, Actor
from tutela.access.reads import (
    PersonRecord,
    account_people,
    account_region,
    accounts_by_id,
    communication_ids,
    communication_rows,
    owners_by_value,
    subject_values,
)
from tutela.collect._gate import reading
from tutela.collect.accounts.card_numbers import FIRST_DIGITS, card_brand, luhn_valid
from tutela.collect.detect import (
    DEFAULT_REGIONS,
    Detection,
    KnownPeople,
    Redaction,
    mask_cards,
    redact,
    resolve_overlaps,
    scan,
)
from tutela.collect.detect.cards import MIN_DIGITS
from tutela.collect.detect.codes import mask_security_codes
from tutela.store.models import (
    Account,
    Communication,
    CommunicationMention,
)

log = logging.getLogger(__name__)

SUPPORT_INBOX: Final = Actor.system("support_inbox")
RESPOND: Final = "respond_to_requests"

OwnersOf = Callable[[str, Collection[str]], dict[str, set[int]]]
"""(kind, values) -> the people of any account who hold each email or phone."""

# What `mask_cards` leaves of a card: 8 to 15 "*" (digits masked, the original
# separators kept) then the last four digits.
_MASKED_CARD = re.compile(r"(?<![\w*])\*(?:[ -]?\*){7,14}(?:[ -]?[0-9]){4}(?![\w*])")
_BATCH = 200
# A run of digits grouped by single spaces or dashes, for `mask_card_numbers`.
_DIGIT_RUN = re.compile(r"[0-9](?:[ -]?[0-9]){12,}")


@dataclass(frozen=True, slots=True)
class RedactedCommunication:
    """A communication's subject and body with everyone else's data masked."""

    communication_id: int
    subject: Redaction | None
    body: Redaction


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    """What `rebuild_index` did: counts only."""

    accounts: int
    communications: int
    mentions: int
    masked_communications: int

    def as_dict(self) -> dict[str, int]:
        return {
            "accounts": self.accounts,
            "communications": self.communications,
            "mentions": self.mentions,
            "masked_communications": self.masked_communications,
        }


def find_masked_cards(text: str) -> list[Detection]:
    """Card numbers already masked to their last four digits (as stored)."""
    return [
        Detection(
            kind="card",
            start=match.start(),
            end=match.end(),
            text=match.group(0),
            value=re.sub(r"[ -]", "", match.group(0)),
            reason="card number, stored masked to its last four digits",
        )
        for match in _MASKED_CARD.finditer(text)
    ]


def _embedded_cards(raw: str) -> list[tuple[int, int]]:
    """Cards inside a longer run of digit groups ("ref 12 4111 1111 1111 1111")."""
    groups = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[0-9]+", raw)]
    found: list[tuple[int, int]] = []
    for first, (start, _, head) in enumerate(groups):
        if (found and start < found[-1][1]) or head[0] not in FIRST_DIGITS:
            continue
        best = None
        digits = ""
        separators: set[str] = set()
        # At most 19 digits, so at most 19 groups: a bounded look ahead.
        for index in range(first, min(first + 19, len(groups))):
            group_start, end, group = groups[index]
            if index > first:
                separators.add(raw[group_start - 1])
            digits += group
            if len(digits) > 19 or len(separators) > 1:
                break
            if len(digits) >= MIN_DIGITS and luhn_valid(digits) and card_brand(digits):
                best = end
        if best is not None:
            found.append((start, best))
    return found


def mask_card_numbers(text: str) -> str:
    """`mask_cards`, plus cards glued to other digit groups by one separator.

    `find_cards` skips a card number that follows another number with a
    single space between ("ref 12 4111 1111 1111 1111"), so before a message
    is stored every run of digit groups is also searched, at group
    boundaries, for a 13 to 19 digit brand-valid, Luhn-valid number. That can
    mask a long run of other numbers that happens to pass (about one in ten
    of those with a card brand's prefix); for storage, masking too much is
    the safe side. The result has the same length as `text`.
    """
    masked = mask_cards(text)
    parts: list[str] = []
    cursor = 0
    for run in _DIGIT_RUN.finditer(masked):
        for start, end in _embedded_cards(run.group(0)):
            begin = run.start() + start
            parts.append(masked[cursor:begin])
            parts.append(mask_cards(masked[begin : run.start() + end]))
            cursor = run.start() + end
    parts.append(masked[cursor:])
    return "".join(parts)


def regions_for(region: str | None) -> tuple[str, ...]:
    """Phone regions to read an account's messages with: its own first."""
    own = (region or "US").upper()
    return (own, *(region for region in DEFAULT_REGIONS if region != own))


def people_from_records(records: Iterable[PersonRecord], region: str) -> KnownPeople:
    """Known people from (id, name, emails, phones) records, read in `region`."""
    return KnownPeople.from_records(
        ((str(pid), name, emails, phones) for pid, name, emails, phones in records),
        region=region or "US",
    )


def known_people(use: Access, account: Account) -> KnownPeople:
    """The account's people (names, emails, phones and assigned numbers).

    Read through the gate `use` (`tutela.access.reads.communications.account_people`):
    the write path opens it inside its write (`inbox_gate`), the export alone.
    """
    return people_from_records(account_people(use, account.id), account.region or "US")


@contextmanager
def inbox_gate(session: Session) -> Iterator[Access]:
    """The gate the mention index reads through, inside `session`'s write.

    The support inbox indexes what customers tell support
    (`respond_to_requests`): who is a known person, who holds an address.
    """
    with reading(session, actor=SUPPORT_INBOX, purpose=RESPOND) as use:
        yield use


def _typed_email(detection: Detection) -> str:
    local, _, domain = detection.text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _attribute_elsewhere(
    owners_of: OwnersOf, detections: list[Detection]
) -> list[Detection]:
    """Give an unowned email or phone to the one person of any account who has it."""
    wanted: dict[str, set[str]] = {"email": set(), "phone": set()}
    for d in detections:
        if d.person_id is None and d.kind in wanted:
            wanted[d.kind] |= (
                {d.value, _typed_email(d)} if d.kind == "email" else {d.value}
            )
    owners = {kind: owners_of(kind, values) for kind, values in wanted.items()}
    result = []
    for d in detections:
        who = owners.get(d.kind, {}).get(d.value) if d.person_id is None else None
        if who is not None and len(who) == 1:
            reason = f"{d.reason}; belongs to a known person of another account"
            d = replace(d, person_id=str(next(iter(who))), reason=reason)
        result.append(d)
    return result


def detect(
    owners_of: OwnersOf, region: str | None, text: str, people: KnownPeople
) -> list[Detection]:
    """Every detection in `text` as stored (cards already masked).

    `region` is the account's; `owners_of(kind, values)` names the people of
    any account who hold an email or phone found.
    """
    found = scan(text, regions=regions_for(region), people=people)
    found = resolve_overlaps([*found, *find_masked_cards(text)])
    return _attribute_elsewhere(owners_of, found)


def _parts(communication: Communication) -> Iterable[tuple[str, str]]:
    if communication.subject:
        yield "subject", communication.subject
    yield "body", communication.body


def index_communication(
    session: Session,
    communication: Communication,
    *,
    account: Account,
    people: KnownPeople | None = None,
    use: Access | None = None,
) -> list[Detection]:
    """Scan a stored communication and write its mentions; return the detections.

    `people` defaults to the account's known people; pass it when indexing
    many messages of one account. Existing mentions are not removed. Reads
    go through `use` when given (a gate opened inside `session`'s write),
    else through `inbox_gate`.
    """
    if use is None:
        with inbox_gate(session) as gate:
            return index_communication(
                session, communication, account=account, people=people, use=gate
            )
    if people is None:
        people = known_people(use, account)
    found: list[Detection] = []
    rows = []
    for part, text in _parts(communication):
        for d in detect(
            lambda kind, values: owners_by_value(use, kind, values),
            account.region,
            text,
            people,
        ):
            found.append(d)
            rows.append(
                {
                    "account_id": communication.account_id,
                    "communication_id": communication.id,
                    "part": part,
                    "start": d.start,
                    "end": d.end,
                    "kind": d.kind,
                    "value": d.value[:320],
                    "person_id": None if d.person_id is None else int(d.person_id),
                }
            )
    if rows:
        session.execute(insert(CommunicationMention), rows)
    return found


def rebuild_index(
    session: Session, *, account_ids: Collection[int] | None = None
) -> RebuildSummary:
    """Drop and rebuild the mention index (all accounts, or `account_ids`).

    Any card number still whole in a stored message (written before masking
    existed) is masked on the way.
    """
    accounts = communications = mentions = masked = 0
    with inbox_gate(session) as use:
        for account in accounts_by_id(use, account_ids):
            accounts += 1
            session.execute(
                delete(CommunicationMention).where(
                    CommunicationMention.account_id == account.id
                )
            )
            people = known_people(use, account)
            ids = communication_ids(use, account.id)
            for first in range(0, len(ids), _BATCH):
                rows = communication_rows(use, ids[first : first + _BATCH])
                for row in rows:
                    masked += _mask_stored(row)
                    communications += 1
                    mentions += len(
                        index_communication(
                            session, row, account=account, people=people, use=use
                        )
                    )
                session.flush()
                for row in rows:
                    session.expunge(row)
    log.info(
        "mentions.rebuilt accounts=%d communications=%d mentions=%d masked=%d",
        accounts,
        communications,
        mentions,
        masked,
    )
    return RebuildSummary(accounts, communications, mentions, masked)


def _mask_stored(row: Communication) -> int:
    body = mask_security_codes(mask_card_numbers(row.body))
    subject = (
        None
        if row.subject is None
        else mask_security_codes(mask_card_numbers(row.subject))
    )
    if body == row.body and subject == row.subject:
        return 0
    row.body, row.subject = body, subject
    return 1


def redacted_for(
    use: Access,
    communication: Communication,
    keep_person_id: int | None,
    *,
    keep_values: Collection[str] | None = None,
    people: KnownPeople | None = None,
) -> RedactedCommunication:
    """The communication with every detected item not the subject's masked.

    The stored text is scanned afresh with today's known people (so someone
    added since the message was indexed is still recognised); the subject's
    own name, emails and phones are kept, everything else (other people's
    names, numbers, emails, cards, IBANs, IP addresses) is masked. Each
    `Redaction` lists what was masked or kept and why, without values.

    Everything it needs to know (the account's people, who holds an address
    or number found) is read through the gate (`use`), so each read is
    purpose-checked and audited. `people`, when given, are the account's
    known people already read (an export reads them once per account).

    `keep_values`, when given, are the subject's numbers and addresses to
    keep instead of those on their record today (an export passes the ones
    they held when the message was written); a subject who is not a
    customer contact has no `keep_person_id`, only values.
    """
    keep: set[str] = set(keep_values or ())
    if keep_person_id is not None:
        emails, phones = subject_values(use, keep_person_id)
        keep.add(str(keep_person_id))
        if keep_values is None:
            keep |= emails | phones
    region = account_region(use, communication.account_id)
    if people is None:
        people = people_from_records(
            account_people(use, communication.account_id), region
        )
    redacted: dict[str, Redaction] = {}
    for part, text in _parts(communication):
        found = detect(
            lambda kind, values: owners_by_value(use, kind, values),
            region,
            text,
            people,
        )
        redacted[part] = redact(text, found, keep=keep)
    log.info(
        "mentions.redacted communication_id=%s masked=%d",
        communication.id,
        sum(len(r.redacted) for r in redacted.values()),
    )
    return RedactedCommunication(
        communication_id=communication.id,
        subject=redacted.get("subject"),
        body=redacted["body"],
    )
