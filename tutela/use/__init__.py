"""How does Jive use the information it collects? Purpose-bound access.

Clauses: use.purposes, use.purposes.* and scope.web_unlinked. `access` is
the only read path to personal data outside the store and the ingest code
(`tests/test_layering.py` enforces it).
"""

from tutela.use.actors import Actor
from tutela.use.decide import Decision, decide
from tutela.use.gate import Access, access
from tutela.use.subjects import subject_jurisdictions

__all__ = [
    "Access",
    "Actor",
    "Decision",
    "access",
    "decide",
    "subject_jurisdictions",
]
