"""When will Jive disclose the information it collects? Checks and the ledger.

Clauses: disclose.* (see `recipients` and `ledger`).
"""

from tutela.disclose.ledger import (
    LedgerEntry,
    LedgerSubject,
    disclose,
    ledger_for_subject,
)
from tutela.disclose.recipients import (
    DisclosureRequest,
    Verdict,
    check_disclosure,
    crosses_border,
    jurisdiction_of,
)

__all__ = [
    "DisclosureRequest",
    "LedgerEntry",
    "LedgerSubject",
    "Verdict",
    "check_disclosure",
    "crosses_border",
    "disclose",
    "jurisdiction_of",
    "ledger_for_subject",
]
