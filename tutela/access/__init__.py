"""How does Jive use the information it collects? Purpose-bound access.

Clauses: use.purposes, use.purposes.* and scope.web_unlinked. `access` is
the only read path to personal data outside the store, the write path
included (it opens the gate inside its own write: `access(..., within=session)`;
`tests/test_layering.py` enforces it).
"""

from tutela.access.actors import Actor
from tutela.access.decide import Decision, decide
from tutela.access.gate import Access, access
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
    "Role",
    "SUBJECT_ACCESS",
    "access",
    "decide",
    "has_duty",
    "purposes_for",
    "subject_jurisdictions",
    "undeclared_grants",
]
