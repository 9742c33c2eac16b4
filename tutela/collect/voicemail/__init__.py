"""collect.voicemail: the `app_voicemail` spool, its audio, its ingest, a customer's mailbox.

Clause collect.service_use.voicemail: "Jive also stores customers' voice
mail messages until the customer deletes them."
"""

from tutela.collect.voicemail.ingest import delete_voicemail, ingest_voicemail
from tutela.collect.voicemail.mailbox import (
    MailboxItem,
    delete_own_voicemail,
    mailbox,
    voicemail_audio,
)
from tutela.collect.voicemail.sync import ingest_and_sync

__all__ = [
    "MailboxItem",
    "delete_own_voicemail",
    "delete_voicemail",
    "ingest_and_sync",
    "ingest_voicemail",
    "mailbox",
    "voicemail_audio",
]
