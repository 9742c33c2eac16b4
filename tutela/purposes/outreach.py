"""Communicate with customers about the services: whom to reach at an account.

Clause: use.purposes.communicate ("to communicate with customers and
prospective customers about Jive's services"). Billing staff, or anyone
whose role may ``communicate``, read the names and e-mail addresses of an
account's admins and business contacts (end users are not contacted about
the account's services) through the gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tutela.access import Actor, access
from tutela.store import Store
from tutela.store.models import Person

PURPOSE: Final = "communicate"
CONTACT_ROLES: Final = ("admin", "contact")


@dataclass(frozen=True)
class Contact:
    person_id: int
    name: str
    email: str | None


def service_contacts(store: Store, *, actor: Actor, account_id: int) -> list[Contact]:
    """The account's admins and business contacts, by person id."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(
            Person.id,
            Person.name,
            Person.email,
            where=[Person.account_id == account_id, Person.role.in_(CONTACT_ROLES)],
            order_by=[Person.id],
        )
    return [Contact(int(pid), str(name), email) for pid, name, email in rows]


__all__ = ["CONTACT_ROLES", "Contact", "PURPOSE", "service_contacts"]
