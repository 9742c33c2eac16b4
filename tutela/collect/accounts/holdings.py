"""Assignment intervals: who holds a number, an extension or an address, since when.

Clauses: collect.requested ("phone number and extension assignments",
"business contact information") and rights.access (an export follows a
person's numbers, extensions and addresses only for the periods they held
them, so a re-assigned extension or a reused address never hands one
holder's data to the next).

Written in the same transaction as the assignment it records
(`tutela.collect.accounts.contacts`); the holdings it ends are read through
the gate inside that transaction (`tutela.access.reads.holdings`). Rules:

- a number assigned by the provider is held by one line at a time, across
  all accounts: assigning it closes every other open `assigned` holding;
- an extension is held by one person (or the account) at a time inside its
  account;
- a contact phone or e-mail address typed on a person is that person's
  `typed` holding: it proves nothing, and several people may have typed the
  same value; changing it closes the person's previous one;
- a number the holder proved control of is `verified`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from tutela.access.reads import account_open_holdings, open_holding_of, open_holdings
from tutela.collect._gate import reading
from tutela.errors import InvalidInput
from tutela.store import utc_aware, utcnow
from tutela.store.models import Holding


def _now() -> dt.datetime:
    return utcnow()


_COLUMN_OF = {"number": "e164", "extension": "extension", "email": "email"}


def _columns(kind: str, value: str) -> dict[str, str | None]:
    if kind == "number":
        return {"e164": value, "extension": None, "email": None}
    if kind == "extension":
        return {"e164": None, "extension": value, "email": None}
    if kind == "email":
        return {"e164": None, "extension": None, "email": value.lower()}
    raise InvalidInput("must be number, extension or email", field="kind")


def close_holdings(
    session: Session,
    *,
    kind: str,
    value: str,
    at: dt.datetime,
    account_id: int | None = None,
    person_id: int | None = None,
    evidence: tuple[str, ...] = ("assigned",),
    keep_person_id: int | None = None,
) -> int:
    """End the open holdings of `value` (in `account_id` / of `person_id`) at `at`."""
    wanted = value.lower() if kind == "email" else value
    if kind not in ("number", "extension", "email"):
        raise InvalidInput("must be number, extension or email", field="kind")
    with reading(session) as use:
        rows = open_holdings(
            use,
            kind=kind,
            value=wanted,
            evidence=evidence,
            account_id=account_id,
            person_id=person_id,
            other_than_person=keep_person_id,
        )
    for row in rows:
        # Never end a holding before it began (a back-dated re-assignment).
        start = utc_aware(row.valid_from)
        row.valid_to = max(at, start)
    session.flush()
    return len(rows)


def open_holding(
    session: Session,
    *,
    account_id: int,
    person_id: int | None,
    kind: str,
    value: str,
    evidence: str,
    since: dt.datetime | None = None,
    origin: str = "record",
) -> Holding:
    """Record that `person_id` (None: the account) holds `value` from `since` on.

    An `assigned` number or extension is exclusive: the open holding of the
    previous holder ends when this one begins. Holding the same value again
    with the same evidence returns the open row unchanged (idempotent).
    `origin` is `correction` for a value a rights request set: it proves
    nothing until a code sent to it comes back (`confirm_corrected`).
    """
    if evidence not in ("assigned", "verified", "typed"):
        raise InvalidInput("must be assigned, verified or typed", field="evidence")
    if origin not in ("record", "correction"):
        raise InvalidInput("must be record or correction", field="origin")
    start = utc_aware(since) if since is not None else _now()
    columns = _columns(kind, value)
    with reading(session) as use:
        same = open_holding_of(
            use,
            kind=kind,
            value=str(columns[_COLUMN_OF[kind]]),
            account_id=account_id,
            person_id=person_id,
            evidence=evidence,
        )
    if same is not None:
        return same
    if evidence != "typed":
        scope = account_id if kind == "extension" else None
        close_holdings(
            session,
            kind=kind,
            value=value,
            at=start,
            account_id=scope,
            evidence=(evidence,),
        )
    row = Holding(
        account_id=account_id,
        person_id=person_id,
        kind=kind,
        evidence=evidence,
        valid_from=start,
        origin=origin,
        **columns,
    )
    session.add(row)
    session.flush()
    return row


def retype(
    session: Session,
    *,
    account_id: int,
    person_id: int,
    kind: str,
    old: str | None,
    new: str | None,
    at: dt.datetime | None = None,
    origin: str = "record",
) -> Holding | None:
    """A person's typed contact phone or address changed from `old` to `new`.

    Returns the new value's holding (None when there is no new value).
    """
    moment = at or _now()
    if old is not None and old != new:
        close_holdings(
            session,
            kind=kind,
            value=old,
            at=moment,
            person_id=person_id,
            evidence=("typed",),
        )
    if new is not None and new != old:
        return open_holding(
            session,
            account_id=account_id,
            person_id=person_id,
            kind=kind,
            value=new,
            evidence="typed",
            since=moment,
            origin=origin,
        )
    return None


def end_all(session: Session, *, account_id: int, at: dt.datetime | None = None) -> int:
    """End every open holding of an account (the account closed)."""
    moment = at or _now()
    with reading(session) as use:
        rows = account_open_holdings(use, account_id)
    for row in rows:
        row.valid_to = max(moment, utc_aware(row.valid_from))
    session.flush()
    return len(rows)


__all__ = ["close_holdings", "end_all", "open_holding", "retype"]


def confirm_corrected(session: Session, holding_id: int, *, at: dt.datetime) -> bool:
    """A code sent to a corrected value came back: from now on it may verify.

    Only an open holding a correction opened, not confirmed before; False
    when there is none (ended, confirmed already, or not a correction's).
    """
    result = session.execute(
        update(Holding)
        .where(
            Holding.id == holding_id,
            Holding.origin == "correction",
            Holding.confirmed_at.is_(None),
            Holding.valid_to.is_(None),
        )
        .values(confirmed_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
