"""Assign an access request to the privacy officer who answers it.

Clause: rights.access (each request has someone answering it within its
deadline). Only an active privacy officer can be assigned (checked against
the users table, never trusted from the form); the assignment is a noted,
audited action on the case (`sar.assigned`) by the officer who made it.
"""

from __future__ import annotations

from tutela.access.roles import Role
from tutela.auth.staff import active_staff
from tutela.errors import Conflict
from tutela.rights.cases import CLOSED, State, changing
from tutela.store import Store


def assign_case(store: Store, case_id: int, *, to: str, actor: str) -> str | None:
    """Assign case `case_id` to officer `to` (`staff:<id>`, or "" to unassign).

    Returns the previous assignee. `StaffRefused` when `to` is no active
    privacy officer; `Conflict` for a closed case; `NotFound` for no case.
    """
    assignee = None
    if to:
        assignee = f"staff:{active_staff(store, to, roles={Role.privacy_officer})}"
    with changing(store, case_id) as change:
        if State(change.case.state) in CLOSED:
            raise Conflict(f"case {case_id} is {change.case.state}; nothing to assign")
        before = change.case.assigned_to
        change.case.assigned_to = assignee
        change.note(
            "assigned",
            actor=actor,
            details={"to": assignee or "-", "before": before or "-"},
        )
    return before
