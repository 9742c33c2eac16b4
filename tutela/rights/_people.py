"""The only reads of customer data the rights package makes, all through `tutela.use`.

Clause: rights.access.verification (to check who a requester is, Tutela
compares what they say with what it holds; "information collected for
verification is used for nothing else"). Every read names the actor
`system:support_inbox` (or the staff member acting) and the purpose
`respond_to_requests`, and is recorded by the gate in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_

from tutela.store.db import Store
from tutela.store.models import Account, CallRecord, Person
from tutela.store.types import utc_aware
from tutela.use import Actor, access

PURPOSE = "respond_to_requests"
INTAKE_ACTOR = Actor.system("support_inbox")


@dataclass(frozen=True)
class OnFile:
    """What is held about one person, as verification needs it."""

    person_id: int
    account_id: int
    email: str | None
    name: str
    phone: str | None
    postal_code: str | None
    account_ref: str
    account_active: bool
    jurisdiction: str


def _on_file(store: Store, people: list[Person], actor: Actor) -> list[OnFile]:
    if not people:
        return []
    ids = sorted({p.account_id for p in people})
    with access(store, actor=actor, purpose=PURPOSE) as use:
        accounts = {a.id: a for a in use.select(Account, Account.id.in_(ids))}
    out = []
    for p in people:
        account = accounts[p.account_id]
        out.append(
            OnFile(
                person_id=p.id,
                account_id=p.account_id,
                email=p.email,
                name=p.name,
                phone=p.phone,
                postal_code=p.postal_code,
                account_ref=account.ref,
                account_active=account.status == "active",
                jurisdiction=account.jurisdiction,
            )
        )
    return out


def people_with_email(
    store: Store, address: str, *, actor: Actor = INTAKE_ACTOR
) -> list[OnFile]:
    """People whose e-mail on file is exactly `address` (case-insensitive)."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        people = use.select(Person, func.lower(Person.email) == address.strip().lower())
    return _on_file(store, people, actor)


def people_by_id(
    store: Store, person_ids: list[int], *, actor: Actor = INTAKE_ACTOR
) -> list[OnFile]:
    if not person_ids:
        return []
    with access(store, actor=actor, purpose=PURPOSE) as use:
        people = use.select(Person, Person.id.in_(person_ids))
    return _on_file(store, people, actor)


def people_with_phone(
    store: Store, e164: str, *, actor: Actor = INTAKE_ACTOR
) -> list[OnFile]:
    with access(store, actor=actor, purpose=PURPOSE) as use:
        people = use.select(Person, Person.phone == e164)
    return _on_file(store, people, actor)


def recent_calls(
    store: Store,
    e164: str,
    *,
    since: dt.datetime,
    actor: Actor = INTAKE_ACTOR,
) -> list[tuple[str, dt.datetime]]:
    """(counterpart E.164, start) of calls to or from `e164` since `since`."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(
            CallRecord.src_e164,
            CallRecord.dst_e164,
            CallRecord.started_at,
            where=[
                or_(CallRecord.src_e164 == e164, CallRecord.dst_e164 == e164),
                CallRecord.started_at >= since,
            ],
            limit=500,
        )
    out: list[tuple[str, dt.datetime]] = []
    for row in rows:
        src, dst, started = tuple(row)
        other = dst if src == e164 else src
        if other:
            out.append((str(other), utc_aware(started)))
    return out
