"""The code held to the policy: `tutela policy check` and `tutela policy trace`.

Clauses: every clause (trace finds the code and tests for each), collect.*
(every stored personal column belongs to a declared category),
use.purposes (every purpose named in code is declared).
"""
