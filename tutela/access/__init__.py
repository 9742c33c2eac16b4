"""How does Jive use the information it collects? Purpose-bound access.

Clauses: use.purposes, use.purposes.* and scope.web_unlinked. `access` is
the only read path to personal data outside the store, the write path
included (it opens the gate inside its own write: `access(..., within=session)`;
`tests/test_layering.py` enforces it in the source, and `guard_reads`, the
runtime backstop the tests install, on every statement the driver runs).
Blobs (voice mail audio, recordings, export zips) are read through it too
(`Access.blob`). `held_by` is the one rule by which a person's number or
extension reaches a row: only for the time they held it.
"""

from tutela.access._scope import held_by
from tutela.access.actors import Actor
from tutela.access.decide import Decision, decide
from tutela.access.gate import Access, StoredBlob, access
from tutela.access.guard import (
    EXEMPT,
    ReadGuard,
    guard_reads,
    guarding_reads,
    personal_tables,
)
from tutela.access.roles import (
    CUSTOMER_ROLES,
    SUBJECT_ACCESS,
    Duty,
    Role,
    has_duty,
    purposes_for,
    undeclared_grants,
)
from tutela.access.subjects import subject_jurisdictions

__all__ = [
    "Access",
    "Actor",
    "CUSTOMER_ROLES",
    "Decision",
    "Duty",
    "EXEMPT",
    "ReadGuard",
    "Role",
    "SUBJECT_ACCESS",
    "StoredBlob",
    "access",
    "decide",
    "guard_reads",
    "guarding_reads",
    "has_duty",
    "held_by",
    "personal_tables",
    "purposes_for",
    "subject_jurisdictions",
    "undeclared_grants",
]
