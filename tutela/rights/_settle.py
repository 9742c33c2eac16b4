"""Whose data a verified code releases: the one holder of what the code reached.

Clause: rights.access.verification. A code sent to an address or read out
on a call to a number proves that the requester controls that address or
number TODAY. The case's subject is therefore the person who holds it today
(assignment intervals, `tutela.store.models.Holding`), never a former
holder whose record still carries it. Refused, so that an officer decides:

- an identifier held today by more than one person (a departed colleague's
  address given to a new contact): one code would release both;
- an identifier held by someone other than the case's matched people;
- an address set by a correction that is unconfirmed or too recent
  (`Settings.corrected_contact_days`).

An identifier no customer holds makes the requester a subject in their own
right (a caller, a subscriber), whose records are reached from the end of
the last customer's holding on.

`on_file_since` says since when the holder has had the channel, which sets
the level of the proof (`tutela.rights.proof.code_level`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tutela.config import Settings
from tutela.rights import _people
from tutela.store import Store


@dataclass(frozen=True)
class Settled:
    """The subjects a code releases data about, or why it releases nothing."""

    person_ids: list[int]
    number: str | None = None
    since: dt.datetime | None = None
    refusal: str | None = None
    on_file_since: dt.datetime | None = None
    ambiguous: bool = False


AMBIGUOUS = (
    "the {what} is held today by {count} people; a code to it cannot tell "
    "them apart, so a privacy officer decides whose request this is"
)


def by_address(
    store: Store,
    address: str,
    person_ids: list[int],
    *,
    received_at: dt.datetime,
    settings: Settings,
) -> Settled:
    """The one person who holds `address` today, else the address itself."""
    holders = _people.email_holders(
        store,
        address,
        received_at=received_at,
        corrected_wait=dt.timedelta(days=settings.corrected_contact_days),
    )
    if len(holders) > 1:
        return Settled(
            [],
            refusal=AMBIGUOUS.format(what="address", count=len(holders)),
            ambiguous=True,
        )
    if holders:
        (holder,) = holders
        if person_ids and holder.person_id not in person_ids:
            return Settled(
                [],
                refusal="the address is held by a customer who is not this "
                "case's subject",
            )
        if holder.since is None:
            return Settled(
                [],
                refusal="the address was set by a correction that is not yet "
                "confirmed, or too recently to verify a request",
            )
        return Settled([holder.person_id], on_file_since=holder.since)
    held = _people.held(store, "email", address)
    if held.today:
        return Settled(
            [],
            refusal="the address is held by a customer who is not this case's subject",
        )
    return Settled([], since=held.ended)


def by_number(store: Store, number: str, *, at: dt.datetime) -> Settled:
    """The person whose line `number` is today, else the number itself."""
    lines = _people.proven_lines(store, number, at=at)
    people = sorted({line.person.person_id for line in lines})
    if len(people) > 1:
        return Settled(
            [],
            refusal=AMBIGUOUS.format(what="number", count=len(people)),
            ambiguous=True,
        )
    if lines:
        return Settled(people, on_file_since=min(line.since for line in lines))
    held = _people.held(store, "number", number)
    if held.today:
        return Settled(
            [],
            refusal="the number is a customer's line held by no one person; "
            "the customer answers for it",
        )
    return Settled([], number=number, since=held.ended)


__all__ = ["AMBIGUOUS", "Settled", "by_address", "by_number"]
