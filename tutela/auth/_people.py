"""The account a person belongs to, read through the purpose gate.

Clauses: use.purposes (giving a customer's person a sign-in is delivering the
service: `system:call_routing`, purpose `deliver_services`), scope.business_only
(a customer user belongs to the account of its person). Only structural
columns (the person's id and tenant key) are read.
"""

from __future__ import annotations

from tutela.access import Actor, access
from tutela.errors import NotFound
from tutela.store import Store
from tutela.store.models import Person

_PROVISIONING = Actor.system("call_routing")


def account_of_person(store: Store, person_id: int) -> int:
    """The account id of person `person_id`; `NotFound` if there is no such person."""
    with access(store, actor=_PROVISIONING, purpose="deliver_services") as use:
        rows = use.rows(Person.id, Person.account_id, where=[Person.id == person_id])
    if not rows:
        raise NotFound(f"person {person_id} does not exist")
    return int(rows[0][1])
