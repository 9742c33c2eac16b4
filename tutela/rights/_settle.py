"""Whose data a verified code releases: the holders of what the code reached.

Clause: rights.access.verification. A code sent to an address or read out
on a call to a number proves that the requester controls that address or
number TODAY. The case's subjects are therefore the people who hold it
today (assignment intervals, `tutela.store.models.Holding`), never a former
holder whose record still carries it; an identifier no customer holds makes
the requester a subject in their own right (a caller, a subscriber), whose
records are reached from the end of the last customer's holding on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tutela.rights import _people
from tutela.store import Store


@dataclass(frozen=True)
class Settled:
    """The subjects a code releases data about, or why it releases nothing."""

    person_ids: list[int]
    number: str | None = None
    since: dt.datetime | None = None
    refusal: str | None = None


def by_address(store: Store, address: str, person_ids: list[int]) -> Settled:
    """The people of `person_ids` who hold `address` today, else the address itself."""
    holders = _people.current_email_holders(store, address, person_ids)
    if holders:
        return Settled(holders)
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
    if lines:
        return Settled(sorted({line.person.person_id for line in lines}))
    held = _people.held(store, "number", number)
    if held.today:
        return Settled(
            [],
            refusal="the number is a customer's line held by no one person; "
            "the customer answers for it",
        )
    return Settled([], number=number, since=held.ended)


__all__ = ["Settled", "by_address", "by_number"]
