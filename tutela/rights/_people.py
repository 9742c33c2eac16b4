"""The only reads of customer data the rights package makes, all through `tutela.access`.

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

from tutela.access import Actor, access
from tutela.store import Store, utc_aware, utcnow
from tutela.store.models import (
    PROVEN,
    Account,
    CallRecord,
    CommunicationMention,
    Holding,
    Person,
    PolicySubscription,
    RightsMessage,
    SarCase,
    User,
)

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
    """People whose e-mail on file, or whose sign-in address, is `address`.

    Matched case-insensitively, closed accounts included (a former customer
    is on file too; `current_email_holders` says who holds it today).
    """
    wanted = address.strip().lower()
    with access(store, actor=actor, purpose=PURPOSE) as use:
        people = use.select(Person, func.lower(Person.email) == wanted)
        users = use.rows(
            User.person_id,
            where=[func.lower(User.email) == wanted, User.person_id.is_not(None)],
        )
        known = {p.id for p in people}
        extra = sorted({int(pid) for (pid,) in users if pid not in known})
        if extra:
            people += use.select(Person, Person.id.in_(extra))
    return _on_file(store, people, actor)


def people_by_id(
    store: Store, person_ids: list[int], *, actor: Actor = INTAKE_ACTOR
) -> list[OnFile]:
    if not person_ids:
        return []
    with access(store, actor=actor, purpose=PURPOSE) as use:
        people = use.select(Person, Person.id.in_(person_ids))
    return _on_file(store, people, actor)


@dataclass(frozen=True)
class Holder:
    """One person who holds an e-mail address today, and since when it is on file.

    `since` is the start of the earliest holding that may verify (a contact
    address or a sign-in address); None when the only holding is a
    corrected value that is not yet confirmed or not yet old enough.
    """

    person_id: int
    since: dt.datetime | None


def email_holders(
    store: Store,
    address: str,
    *,
    received_at: dt.datetime,
    corrected_wait: dt.timedelta,
    actor: Actor = INTAKE_ACTOR,
) -> list[Holder]:
    """Everyone who holds `address` today in an active account (not only a case's).

    An address typed on a contact, or a portal sign-in address, is on file
    from its holding's start (the user's creation). One set by a
    correction request verifies nothing until a code sent to it came back
    and `corrected_wait` has passed since it was set, counted to the
    request (`received_at`).
    """
    wanted = address.strip().lower()
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(
            Holding.person_id,
            Holding.valid_from,
            Holding.origin,
            Holding.confirmed_at,
            where=[
                Holding.kind == "email",
                Holding.email == wanted,
                Holding.valid_to.is_(None),
                Holding.person_id.is_not(None),
            ],
        )
        users = use.rows(
            User.person_id,
            User.created_at,
            where=[
                func.lower(User.email) == wanted,
                User.person_id.is_not(None),
                User.disabled_at.is_(None),
            ],
        )
    starts: dict[int, list[dt.datetime]] = {}
    for person_id, valid_from, origin, confirmed_at in rows:
        since = utc_aware(valid_from)
        usable = origin != "correction" or (
            confirmed_at is not None and since <= received_at - corrected_wait
        )
        starts.setdefault(int(person_id), []).extend([since] if usable else [])
    for person_id, created_at in users:
        starts.setdefault(int(person_id), []).append(utc_aware(created_at))
    active = {
        p.person_id for p in people_by_id(store, sorted(starts)) if p.account_active
    }
    return [
        Holder(pid, min(starts[pid]) if starts[pid] else None)
        for pid in sorted(starts)
        if pid in active
    ]


@dataclass(frozen=True)
class Line:
    """A number a person holds today on proven evidence, since when, in which account."""

    person: OnFile
    number: str
    account_id: int
    since: dt.datetime


def proven_lines(
    store: Store, e164: str, *, at: dt.datetime, actor: Actor = INTAKE_ACTOR
) -> list[Line]:
    """People who hold `e164` at `at` on proven evidence (assigned or verified).

    A contact phone typed on a person proves nothing and is not a line; nor
    is a number of a closed account.
    """
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(
            Holding.person_id,
            Holding.account_id,
            Holding.valid_from,
            where=[
                Holding.kind == "number",
                Holding.e164 == e164,
                Holding.evidence.in_(PROVEN),
                Holding.person_id.is_not(None),
                Holding.valid_from <= at,
                or_(Holding.valid_to.is_(None), Holding.valid_to > at),
            ],
        )
    people = {p.person_id: p for p in people_by_id(store, [int(r[0]) for r in rows])}
    lines = []
    for person_id, account_id, since in rows:
        person = people.get(int(person_id))
        if person is not None and person.account_active:
            lines.append(Line(person, e164, int(account_id), utc_aware(since)))
    return lines


@dataclass(frozen=True)
class Held:
    """Whether a customer holds an identifier today, and when the last holding ended."""

    today: bool
    ended: dt.datetime | None


def held(store: Store, kind: str, value: str, *, actor: Actor = INTAKE_ACTOR) -> Held:
    """Who held `value` (a number on proven evidence, or an address) and until when.

    A holding in a closed account whose end was not recorded counts as held
    until now, so a number or address reused after a customer left never
    reaches back into that customer's time.
    """
    column = Holding.e164 if kind == "number" else Holding.email
    wanted = value if kind == "number" else value.lower()
    where = [Holding.kind == kind, column == wanted, Holding.account_id == Account.id]
    if kind == "number":
        where.append(Holding.evidence.in_(PROVEN))
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(Holding.valid_to, Account.status, where=where)
    now = utcnow()
    today = any(end is None and status == "active" for end, status in rows)
    ends = [now if end is None else utc_aware(end) for end, _ in rows]
    return Held(today, max(ends) if ends else None)


def calls_placed(
    store: Store,
    e164: str,
    *,
    account_id: int,
    since: dt.datetime,
    until: dt.datetime,
    actor: Actor = INTAKE_ACTOR,
) -> list[tuple[str, dt.datetime]]:
    """(number called, start) of calls placed FROM `e164` through `account_id`.

    Only calls the line placed through the holder's own account count: a
    call TO the number is known to whoever made it, and a caller ID seen on
    another account's incoming call can be forged.
    """
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(
            CallRecord.dst_e164,
            CallRecord.started_at,
            where=[
                CallRecord.account_id == account_id,
                CallRecord.src_e164 == e164,
                CallRecord.started_at >= since,
                CallRecord.started_at <= until,
            ],
            order_by=[CallRecord.started_at.desc()],
            limit=500,
        )
    return [(str(dst), utc_aware(started)) for dst, started in rows if dst]


def address_on_file(
    store: Store, address: str, *, case_id: int, actor: Actor = INTAKE_ACTOR
) -> bool:
    """Whether `address` is held here apart from the request `case_id` itself.

    A subscriber, an earlier requester or someone named in a message is a
    subject too: a code sent to that address proves its holder controls it.
    """
    wanted = address.strip().lower()
    with access(store, actor=actor, purpose=PURPOSE) as use:
        checks = (
            use.rows(
                PolicySubscription.id,
                where=[func.lower(PolicySubscription.address) == wanted],
                limit=1,
            ),
            use.rows(
                RightsMessage.id,
                where=[
                    func.lower(RightsMessage.sender_address) == wanted,
                    or_(
                        RightsMessage.case_id.is_(None),
                        RightsMessage.case_id != case_id,
                    ),
                ],
                limit=1,
            ),
            use.rows(
                SarCase.id,
                where=[
                    func.lower(SarCase.requester_address) == wanted,
                    SarCase.id != case_id,
                ],
                limit=1,
            ),
            use.rows(
                CommunicationMention.id,
                where=[
                    CommunicationMention.kind == "email",
                    CommunicationMention.value == wanted,
                ],
                limit=1,
            ),
        )
    return any(checks)


def addresses_of(
    store: Store,
    person_ids: list[int],
    *,
    ended_since: dt.datetime | None = None,
    actor: Actor = INTAKE_ACTOR,
) -> list[str]:
    """Every address on file for `person_ids`: contact addresses and sign-in addresses.

    With `ended_since`, also the addresses they held until some moment since
    then (one a correction replaced recently is told too).
    """
    if not person_ids:
        return []
    with access(store, actor=actor, purpose=PURPOSE) as use:
        contacts = use.rows(Person.email, where=[Person.id.in_(person_ids)])
        logins = use.rows(
            User.email,
            where=[User.person_id.in_(person_ids), User.disabled_at.is_(None)],
        )
        replaced = (
            use.rows(
                Holding.email,
                where=[
                    Holding.person_id.in_(person_ids),
                    Holding.kind == "email",
                    Holding.valid_to >= ended_since,
                ],
            )
            if ended_since is not None
            else []
        )
    found = [*contacts, *logins, *replaced]
    return sorted({str(a).strip().lower() for (a,) in found if a})


def confirmed_addresses(
    store: Store, person_ids: list[int], *, actor: Actor = INTAKE_ACTOR
) -> list[str]:
    """The contact addresses of `person_ids` that mail may go to.

    An address a correction set and nobody confirmed (its link never
    opened) may be a typo or someone else's: no answer goes there.
    """
    if not person_ids:
        return []
    with access(store, actor=actor, purpose=PURPOSE) as use:
        contacts = use.rows(Person.email, Person.id, where=[Person.id.in_(person_ids)])
        unconfirmed = use.rows(
            Holding.person_id,
            Holding.email,
            where=[
                Holding.person_id.in_(person_ids),
                Holding.kind == "email",
                Holding.valid_to.is_(None),
                Holding.origin == "correction",
                Holding.confirmed_at.is_(None),
            ],
        )
    pending = {(int(pid), str(a)) for pid, a in unconfirmed if pid is not None and a}
    return sorted(
        {
            str(a).strip().lower()
            for a, pid in contacts
            if a and (int(pid), str(a).strip().lower()) not in pending
        }
    )
