"""The read layer: every read of a personal model, through the purpose gate.

Clauses: use.purposes (a read states an actor and a purpose, and the gate
appends a `use.grant` entry to the audit log before rows are handed back),
secure.measures (the audit trail of every read).

One module per topic. Each function takes an open `Access` (see
`tutela.access.access`), never a session: the gate checks the categories of
every column it reads. `tests/test_layering.py` fails the build when a
module outside this layer (and the store) selects a personal model.
"""

from tutela.access.reads.accounts import (
    OwnerRow,
    account,
    account_by_ref,
    extension_row,
    number_row,
    numbers_held_elsewhere,
    owners_by_number,
    owners_by_ref,
    ref_taken,
)
from tutela.access.reads.calls import (
    call_account,
    call_legs,
)
from tutela.access.reads.communications import (
    CommunicationMentions,
    MentionSpan,
    PersonRecord,
    account_people,
    account_region,
    mentions_of,
    owners_by_value,
    subject_values,
)
from tutela.access.reads.holdings import (
    account_open_holdings,
    open_holding_of,
    open_holdings,
)
from tutela.access.reads.voicemail import (
    held_messages,
    message_held,
    voicemail_listing,
    voicemail_row,
)

__all__ = [
    "CommunicationMentions",
    "MentionSpan",
    "OwnerRow",
    "PersonRecord",
    "account",
    "account_by_ref",
    "account_open_holdings",
    "account_people",
    "account_region",
    "call_account",
    "call_legs",
    "extension_row",
    "held_messages",
    "mentions_of",
    "message_held",
    "number_row",
    "numbers_held_elsewhere",
    "open_holding_of",
    "open_holdings",
    "owners_by_number",
    "owners_by_ref",
    "owners_by_value",
    "ref_taken",
    "subject_values",
    "voicemail_listing",
    "voicemail_row",
]
