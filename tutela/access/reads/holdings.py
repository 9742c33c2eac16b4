"""Reads of holdings (who held a number, an extension or an address, when).

Clauses: collect.requested ("phone number and extension assignments") and
rights.access (an export follows a person's numbers only for the periods
they held them), use.purposes (each read is a gate read, audited).

`tutela.collect.accounts.holdings` opens and ends holdings in the write that
assigns, and reads the rows it ends through these functions with a gate
opened inside that write (`access(..., within=session)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutela.access.gate import Access
from tutela.store.models import Holding

_VALUE_COLUMNS: dict[str, Any] = {
    "number": Holding.e164,
    "extension": Holding.extension,
    "email": Holding.email,
}


def open_holdings(
    use: Access,
    *,
    kind: str,
    value: str,
    evidence: Sequence[str],
    account_id: int | None = None,
    person_id: int | None = None,
    other_than_person: int | None = None,
) -> list[Holding]:
    """The open holdings of `value` (a number, extension or address, by `kind`).

    Narrowed to an account, a person, or everyone but `other_than_person` (the
    account's own holdings included) when given.
    """
    where = [
        Holding.kind == kind,
        _VALUE_COLUMNS[kind] == value,
        Holding.valid_to.is_(None),
        Holding.evidence.in_(list(evidence)),
    ]
    if account_id is not None:
        where.append(Holding.account_id == account_id)
    if person_id is not None:
        where.append(Holding.person_id == person_id)
    if other_than_person is not None:
        where.append(
            (Holding.person_id != other_than_person) | Holding.person_id.is_(None)
        )
    return use.select(Holding, *where)


def open_holding_of(
    use: Access,
    *,
    kind: str,
    value: str,
    account_id: int,
    person_id: int | None,
    evidence: str,
) -> Holding | None:
    """The open holding of `value` by `person_id` (None: the account) with `evidence`."""
    found = use.select(
        Holding,
        Holding.kind == kind,
        _VALUE_COLUMNS[kind] == value,
        Holding.account_id == account_id,
        Holding.person_id.is_(None)
        if person_id is None
        else Holding.person_id == person_id,
        Holding.evidence == evidence,
        Holding.valid_to.is_(None),
        limit=1,
    )
    return found[0] if found else None


def account_open_holdings(use: Access, account_id: int) -> list[Holding]:
    """Every open holding of an account."""
    return use.select(
        Holding, Holding.account_id == account_id, Holding.valid_to.is_(None)
    )


__all__ = ["account_open_holdings", "open_holding_of", "open_holdings"]
