"""Who is asking: a staff member, a customer's user or a system job.

Clauses: use.purposes (every read names an actor and a purpose),
secure.measures (actors are surrogate ids, so the audit log never holds a
name, e-mail address or phone number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutela.access.roles import CUSTOMER_ROLES, SYSTEM_JOBS, Role
from tutela.errors import InvalidInput

ACTOR_ID = re.compile(r"[a-z_]+:[A-Za-z0-9_.\-]{1,100}")


@dataclass(frozen=True, slots=True)
class Actor:
    """An actor: surrogate `id` ('staff:42', 'user:17', 'system:billing_run')."""

    id: str
    role: Role
    account_id: int | None = None
    person_id: int | None = None

    def __post_init__(self) -> None:
        if not ACTOR_ID.fullmatch(self.id):
            raise InvalidInput(
                "an actor id is a surrogate id like 'staff:42' (no names or addresses)",
                field="actor",
            )
        if self.role in CUSTOMER_ROLES and self.account_id is None:
            raise InvalidInput(
                f"a {self.role} actor must belong to an account", field="account_id"
            )
        if self.role is Role.end_user and self.person_id is None:
            raise InvalidInput("an end-user actor must be a person", field="person_id")
        if self.role is Role.system and self.job not in SYSTEM_JOBS:
            raise InvalidInput(
                f"a system actor is 'system:<job>' with a job among {sorted(SYSTEM_JOBS)}",
                field="actor",
            )

    @property
    def job(self) -> str | None:
        """The named job of a system actor ('system:billing_run' -> 'billing_run')."""
        if self.role is not Role.system:
            return None
        return self.id.partition(":")[2]

    @property
    def is_customer(self) -> bool:
        return self.role in CUSTOMER_ROLES

    @classmethod
    def staff(cls, staff_id: int, role: Role) -> Actor:
        return cls(f"staff:{staff_id}", role)

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls(f"system:{job}", Role.system)

    @classmethod
    def customer(cls, person_id: int, account_id: int, *, admin: bool = False) -> Actor:
        role = Role.customer_admin if admin else Role.end_user
        return cls(f"user:{person_id}", role, account_id, person_id)
