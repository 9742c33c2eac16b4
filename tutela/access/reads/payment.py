"""Reads behind putting a card on file: whom it is about, and whether it is new.

Clauses: collect.requested (payment information is tokenized: a token comes
back once per card), disclose.processors.payment (sending a card is a
disclosure about the account's payers), use.purposes (each read is a gate
read for `collect_payment`, audited with counts, never values).
`tutela.collect.accounts.payment` calls these with a gate opened inside the
write that stores the card.
"""

from __future__ import annotations

from collections.abc import Collection

from tutela.access.gate import Access
from tutela.store.models import PaymentMethod, Person


def people_of_account(
    use: Access,
    account_id: int,
    *,
    among: Collection[int] | None = None,
    roles: Collection[str] | None = None,
) -> list[int]:
    """Ids of the account's people, in order: those `among` the given ids, or
    those with one of `roles`, when given."""
    where = [Person.account_id == account_id]
    if among is not None:
        where.append(Person.id.in_(sorted(among)))
    if roles is not None:
        where.append(Person.role.in_(sorted(roles)))
    return [pid for (pid,) in use.rows(Person.id, where=where, order_by=[Person.id])]


def payment_methods_of(
    use: Access, account_ids: Collection[int]
) -> list[PaymentMethod]:
    """The cards on file of these accounts (whole rows, to blank a billing field)."""
    if not account_ids:
        return []
    return use.select(
        PaymentMethod,
        PaymentMethod.account_id.in_(sorted(account_ids)),
        order_by=[PaymentMethod.id],
    )


def token_on_file(use: Access, token: str) -> bool:
    """Whether a stored payment method carries this processor token already."""
    return bool(
        use.rows(
            PaymentMethod.id, where=[PaymentMethod.processor_token == token], limit=1
        )
    )


__all__ = ["payment_methods_of", "people_of_account", "token_on_file"]
