"""The read layer: every read of a personal model, through the purpose gate.

Clauses: use.purposes (a read states an actor and a purpose, and the gate
appends a `use.grant` entry to the audit log before rows are handed back),
secure.measures (the audit trail of every read).

One module per topic. Each function takes an open `Access` (see
`tutela.access.access`), never a session: the gate checks the categories of
every column it reads. `tests/test_layering.py` fails the build when a
module outside this layer (and the store) selects a personal model.
"""

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
from tutela.access.reads.voicemail import held_messages, voicemail_listing

__all__ = [
    "CommunicationMentions",
    "MentionSpan",
    "PersonRecord",
    "account_people",
    "account_region",
    "held_messages",
    "mentions_of",
    "owners_by_value",
    "subject_values",
    "voicemail_listing",
]
