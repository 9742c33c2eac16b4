"""The read layer: every read of a personal model, through the purpose gate.

Clauses: use.purposes (a read states an actor and a purpose, and the gate
appends a `use.grant` entry to the audit log before rows are handed back),
secure.measures (the audit trail of every read).

One module per topic. Each function takes an open `Access` (see
`tutela.access.access`), never a session: the gate checks the categories of
every column it reads. The write path (`tutela.collect`) calls them with a
gate opened inside its own write (`access(..., within=session)`), so its
checks and the rows it changes are read, and audited, in the transaction
that writes. `tests/test_layering.py` fails the build when a module outside
this layer (and the store) selects a personal model.
"""

from tutela.access.reads.accounts import (
    OwnerRow,
    account,
    account_by_ref,
    accounts_by_id,
    accounts_of_people,
    closed_accounts,
    extension_row,
    number_row,
    numbers_held_elsewhere,
    owners_by_number,
    owners_by_ref,
    people_rows,
    porting_requests_of,
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
    communication_ids,
    communication_rows,
    mentions_of,
    owners_by_value,
    subject_values,
)
from tutela.access.reads.holdings import (
    account_open_holdings,
    open_holding_of,
    open_holdings,
)
from tutela.access.reads.payment import (
    payment_methods_of,
    people_of_account,
    token_on_file,
)
from tutela.access.reads.recordings import (
    notice_row,
    recording_ids_of,
    recording_listing,
)
from tutela.access.reads.voicemail import (
    held_messages,
    mailbox_rows,
    message_held,
    voicemail_ids_of,
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
    "accounts_by_id",
    "accounts_of_people",
    "call_account",
    "call_legs",
    "closed_accounts",
    "communication_ids",
    "communication_rows",
    "extension_row",
    "held_messages",
    "mailbox_rows",
    "mentions_of",
    "message_held",
    "notice_row",
    "number_row",
    "numbers_held_elsewhere",
    "open_holding_of",
    "open_holdings",
    "owners_by_number",
    "owners_by_ref",
    "owners_by_value",
    "payment_methods_of",
    "people_of_account",
    "people_rows",
    "porting_requests_of",
    "recording_ids_of",
    "recording_listing",
    "ref_taken",
    "subject_values",
    "token_on_file",
    "voicemail_ids_of",
    "voicemail_listing",
    "voicemail_row",
]
