"""Reads behind the mention index and the redaction of communications.

Clauses: rights.access (`mentions_of` finds the messages that mention a
subject; the redaction of an export reads who else is known, through the
gate, to mask everyone else's data), collect.volunteered.channels (the
messages themselves), use.purposes (each read is a gate read, audited).

Who is a known person (tenant isolation): names are matched against the
people of the communication's own account only; an email or phone number is
an exact identifier and is looked up in every account (`owners_by_value`).
The rules that use these reads live in `tutela.collect.communications.mentions`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, or_

from tutela.access.gate import Access
from tutela.errors import NotFound
from tutela.store.models import (
    Account,
    Communication,
    CommunicationMention,
    Person,
    PhoneNumber,
)

PersonRecord = tuple[int, str, list[str], list[str]]
"""(person id, name, emails, phones and assigned numbers) of one known person."""


@dataclass(frozen=True, slots=True)
class MentionSpan:
    """Where one mention sits: the part (`subject` or `body`), kind and offsets."""

    part: str
    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CommunicationMentions:
    """A communication that mentions a subject, and where."""

    communication_id: int
    account_id: int
    spans: tuple[MentionSpan, ...]


def account_region(use: Access, account_id: int) -> str:
    """The region an account's phone numbers are read in; `NotFound` if no account."""
    found = use.rows(Account.region, where=[Account.id == account_id])
    if not found:
        raise NotFound(f"account {account_id} not found")
    return str(found[0][0] or "US")


def account_people(use: Access, account_id: int) -> list[PersonRecord]:
    """The account's people: names, emails, phones and assigned numbers."""
    people = use.rows(
        Person.id,
        Person.name,
        Person.email,
        Person.phone,
        where=[Person.account_id == account_id],
        order_by=[Person.id],
    )
    assigned: dict[int, list[str]] = {}
    for assignee_id, e164 in use.rows(
        PhoneNumber.assignee_id,
        PhoneNumber.e164,
        where=[
            PhoneNumber.account_id == account_id,
            PhoneNumber.assignee_id.is_not(None),
        ],
        order_by=[PhoneNumber.id],
    ):
        assigned.setdefault(assignee_id, []).append(e164)
    return [
        (
            pid,
            name,
            [email] if email else [],
            [*([phone] if phone else []), *assigned.get(pid, [])],
        )
        for pid, name, email, phone in people
    ]


def owners_by_value(
    use: Access, kind: str, values: Collection[str]
) -> dict[str, set[int]]:
    """Every person, in any account, whose email (or phone) is one of `values`.

    `kind` is "email" or "phone". Emails are keyed lower case: stored emails
    are lower case, and rows stored before that rule kept the local part as
    given, so callers pass both forms.
    """
    found: dict[str, set[int]] = {}
    if not values:
        return found
    wanted = sorted(values)
    if kind == "email":
        for email, pid in use.rows(
            Person.email, Person.id, where=[Person.email.in_(wanted)]
        ):
            found.setdefault((email or "").lower(), set()).add(pid)
        return found
    people = use.rows(Person.phone, Person.id, where=[Person.phone.in_(wanted)])
    assigned = use.rows(
        PhoneNumber.e164,
        PhoneNumber.assignee_id,
        where=[PhoneNumber.e164.in_(wanted), PhoneNumber.assignee_id.is_not(None)],
    )
    for value, owner in [*people, *assigned]:
        if value is not None and owner is not None:
            found.setdefault(value, set()).add(owner)
    return found


def subject_values(use: Access, person_id: int) -> tuple[set[str], set[str]]:
    """The person's emails and phones (their own and assigned numbers).

    Emails lower case, phones as stored (E.164), as the detectors report
    them; `NotFound` when there is no such person.
    """
    found = use.rows(Person.email, Person.phone, where=[Person.id == person_id])
    if not found:
        raise NotFound(f"person {person_id} not found")
    email, phone = found[0]
    emails = {email.lower()} if email else set()
    phones = {phone} if phone else set()
    phones |= {
        e164
        for (e164,) in use.rows(
            PhoneNumber.e164, where=[PhoneNumber.assignee_id == person_id]
        )
    }
    return emails, phones


def communication_ids(use: Access, account_id: int) -> list[int]:
    """The ids of an account's communications, in order (ids only: no text read)."""
    return [
        cid
        for (cid,) in use.rows(
            Communication.id,
            where=[Communication.account_id == account_id],
            order_by=[Communication.id],
        )
    ]


def communication_rows(use: Access, ids: Collection[int]) -> list[Communication]:
    """The communications with these ids (whole rows: the indexer rescans them)."""
    if not ids:
        return []
    return use.select(
        Communication, Communication.id.in_(sorted(ids)), order_by=[Communication.id]
    )


def mentions_of(use: Access, person_id: int) -> list[CommunicationMentions]:
    """Every communication that mentions the person, with the spans that do.

    A mention counts when the index attributed it to the person, or when it
    is an unattributed email or phone that today belongs to this person and to
    no one else (the person was added after the message was indexed). The
    person's own messages (`Communication.person_id`) are not listed unless
    they mention them.
    """
    emails, phones = subject_values(use, person_id)
    conditions = [CommunicationMention.person_id == person_id]
    for kind, values in (("email", emails), ("phone", phones)):
        owners = owners_by_value(use, kind, values | {v.lower() for v in values})
        unique = sorted(v for v in values if owners.get(v, {person_id}) == {person_id})
        if unique:
            conditions.append(
                and_(
                    CommunicationMention.person_id.is_(None),
                    CommunicationMention.kind == kind,
                    CommunicationMention.value.in_(unique),
                )
            )
    rows = use.rows(
        CommunicationMention.communication_id,
        CommunicationMention.account_id,
        CommunicationMention.part,
        CommunicationMention.kind,
        CommunicationMention.start,
        CommunicationMention.end,
        where=[or_(*conditions)],
        order_by=[
            CommunicationMention.communication_id,
            CommunicationMention.part.desc(),  # subject before body
            CommunicationMention.start,
        ],
    )
    grouped: dict[int, tuple[int, list[MentionSpan]]] = {}
    for communication_id, account_id, part, kind, start, end in rows:
        _, spans = grouped.setdefault(communication_id, (account_id, []))
        spans.append(MentionSpan(part, kind, start, end))
    return [
        CommunicationMentions(cid, account_id, tuple(spans))
        for cid, (account_id, spans) in grouped.items()
    ]


__all__ = [
    "CommunicationMentions",
    "MentionSpan",
    "PersonRecord",
    "account_people",
    "account_region",
    "communication_ids",
    "communication_rows",
    "mentions_of",
    "owners_by_value",
    "subject_values",
]
