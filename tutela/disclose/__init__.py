"""When will Jive disclose the information it collects? Checks and the ledger.

Clauses: disclose.* (see `recipients` and `ledger`).
"""

from tutela.disclose.ledger import (
    LedgerEntry,
    LedgerSubject,
    disclose,
    ledger_for_subject,
)
from tutela.disclose.ledger_browse import browse_ledger
from tutela.disclose.processors import record_in_session
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
    "browse_ledger",
    "check_disclosure",
    "crosses_border",
    "disclose",
    "jurisdiction_of",
    "ledger_for_subject",
    "record_in_session",
]
