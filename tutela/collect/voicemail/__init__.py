"""collect.voicemail: the `app_voicemail` spool, its audio, and its ingest.

Clause collect.service_use.voicemail: "Jive also stores customers' voice
mail messages until the customer deletes them."
"""

from tutela.collect.voicemail.ingest import delete_voicemail, ingest_voicemail
from tutela.collect.voicemail.sync import ingest_and_sync

__all__ = [
    "delete_voicemail",
    "ingest_and_sync",
    "ingest_voicemail",
]
