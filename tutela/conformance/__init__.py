"""The code held to the policy: `tutela policy check` and `tutela policy trace`.

Clauses: every clause (trace finds the code and tests for each), collect.*
(every stored personal column belongs to a declared category),
use.purposes (every purpose named in code is declared).
"""

from tutela.conformance.check import check
from tutela.conformance.code_purposes import purpose_problems
from tutela.conformance.trace import trace, unknown_clause_markers

__all__ = [
    "check",
    "purpose_problems",
    "trace",
    "unknown_clause_markers",
]
