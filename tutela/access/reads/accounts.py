"""Reads of accounts, their numbers and extensions, for the write path's checks.

Clauses: scope.business_only and collect.requested (an account ref, a number
or an extension is held once; the write path checks before it writes),
collect.service_use.call_records (a call is stored under the account that
owned its number), use.purposes (each read is a gate read, audited with
counts, never values).

The write path (`tutela.collect`) calls these with a gate opened inside its
own write (`access(..., within=session)`), so the check and the write share
one transaction; the rows handed back are the caller's session's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from tutela.access.gate import Access
from tutela.store.models import Account, Extension, Person, PhoneNumber, PortingRequest

OwnerRow = tuple[int, str]
"""(account id, the region the account's numbers are read in)."""


def account(use: Access, account_id: int) -> Account:
    """The account with this id; `NotFound` if there is none."""
    return use.get(Account, account_id)


def accounts_by_id(use: Access, ids: Collection[int] | None = None) -> list[Account]:
    """Every account (or those with one of `ids`), in id order."""
    where = [] if ids is None else [Account.id.in_(sorted(ids))]
    return use.select(Account, *where, order_by=[Account.id])


def closed_accounts(
    use: Access, *, closed_by: dt.datetime
) -> list[tuple[int, dt.datetime]]:
    """(id, closing time) of every account closed at or before `closed_by`, by id."""
    found = use.rows(
        Account.id,
        Account.closed_at,
        where=[
            Account.status == "closed",
            Account.closed_at.is_not(None),
            Account.closed_at <= closed_by,
        ],
        order_by=[Account.id],
    )
    return [(account_id, closed_at) for account_id, closed_at in found]


def account_by_ref(
    use: Access, ref: str, *, for_update: bool = False
) -> Account | None:
    """The account with public number `ref`, or None (locked for update if asked)."""
    found = use.select(Account, Account.ref == ref, for_update=for_update)
    return found[0] if found else None


def ref_taken(use: Access, ref: str) -> bool:
    """Whether an account has this ref already."""
    return bool(use.rows(Account.id, where=[Account.ref == ref], limit=1))


def owners_by_ref(use: Access, refs: Collection[str]) -> dict[str, OwnerRow]:
    """ref -> (account id, region) of the accounts among `refs` (one query)."""
    if not refs:
        return {}
    found = use.rows(
        Account.ref, Account.id, Account.region, where=[Account.ref.in_(sorted(refs))]
    )
    return {ref: (account_id, region) for ref, account_id, region in found}


def owners_by_number(use: Access, numbers: Collection[str]) -> dict[str, OwnerRow]:
    """E.164 number -> (account id, region) of the account holding it (one query)."""
    if not numbers:
        return {}
    found = use.rows(
        PhoneNumber.e164,
        Account.id,
        Account.region,
        where=[
            Account.id == PhoneNumber.account_id,
            PhoneNumber.e164.in_(sorted(numbers)),
        ],
    )
    return {e164: (account_id, region) for e164, account_id, region in found}


def number_row(
    use: Access, e164: str, *, account_id: int | None = None
) -> PhoneNumber | None:
    """The stored number `e164` (of `account_id`, when given), or None."""
    where = [PhoneNumber.e164 == e164]
    if account_id is not None:
        where.append(PhoneNumber.account_id == account_id)
    found = use.select(PhoneNumber, *where)
    return found[0] if found else None


def numbers_held_elsewhere(
    use: Access, numbers: Collection[str], *, account_id: int
) -> bool:
    """Whether any of `numbers` is in service with an account other than `account_id`."""
    return bool(
        use.rows(
            PhoneNumber.id,
            where=[
                PhoneNumber.e164.in_(sorted(numbers)),
                PhoneNumber.account_id != account_id,
            ],
            limit=1,
        )
    )


def extension_row(use: Access, *, account_id: int, extension: str) -> Extension | None:
    """The account's extension `extension`, or None."""
    found = use.select(
        Extension, Extension.account_id == account_id, Extension.extension == extension
    )
    return found[0] if found else None


def people_rows(use: Access, ids: Collection[int]) -> list[Person]:
    """The people with these ids (whole rows: the caller's, to change or delete)."""
    if not ids:
        return []
    return use.select(Person, Person.id.in_(sorted(ids)), order_by=[Person.id])


def accounts_of_people(use: Access, ids: Collection[int]) -> set[int]:
    """The accounts the people with these ids belong to."""
    if not ids:
        return set()
    return {
        account_id
        for (account_id,) in use.rows(
            Person.account_id, where=[Person.id.in_(sorted(ids))]
        )
    }


def porting_requests_of(
    use: Access, account_ids: Collection[int]
) -> list[PortingRequest]:
    """The porting requests of these accounts (whole rows, to blank a field)."""
    if not account_ids:
        return []
    return use.select(
        PortingRequest,
        PortingRequest.account_id.in_(sorted(account_ids)),
        order_by=[PortingRequest.id],
    )


__all__ = [
    "OwnerRow",
    "accounts_of_people",
    "closed_accounts",
    "account",
    "account_by_ref",
    "accounts_by_id",
    "extension_row",
    "number_row",
    "numbers_held_elsewhere",
    "owners_by_number",
    "owners_by_ref",
    "people_rows",
    "porting_requests_of",
    "ref_taken",
]
