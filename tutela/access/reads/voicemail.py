"""Reads of stored voicemail: a customer's mailbox, the staff listing, the ingest's checks.

Clauses: collect.service_use.voicemail ("Jive also stores customers' voice
mail messages until the customer deletes them": customers list theirs,
staff list them to act for a customer), use.purposes (each listing is a
read for a stated purpose, audited like every other), scope.business_only
(a customer's people read through the gate, which keeps an admin to the
account and an end user to the voice mail of the extensions they held, for
the time they held them). The ingest and the sync call `voicemail_row` and
`message_held` with a gate opened inside their write.
"""

from __future__ import annotations

import datetime as dt

from tutela.access.gate import Access
from tutela.store import utc_aware
from tutela.store.models import Account, Voicemail


def voicemail_listing(
    use: Access, *, account_id: int | None = None
) -> list[dict[str, object]]:
    """What `tutela voicemail list` shows: ids, account ref, mailbox, time, length.

    Newest first; of one account when `account_id` is given. The caller and
    the audio are never read: only the columns shown are selected, so the
    gate's audit entry names exactly what was used.
    """
    where = [Account.id == Voicemail.account_id]
    if account_id is not None:
        where.append(Voicemail.account_id == account_id)
    rows = use.rows(
        Voicemail.id,
        Account.ref,
        Voicemail.mailbox,
        Voicemail.folder,
        Voicemail.received_at,
        Voicemail.duration_s,
        where=where,
        order_by=(Voicemail.received_at.desc(), Voicemail.id),
    )
    return [
        {
            "id": vm_id,
            "account": ref,
            "mailbox": mailbox,
            "folder": folder,
            "received_at": utc_aware(received_at).isoformat(),
            "duration_s": duration_s,
        }
        for vm_id, ref, mailbox, folder, received_at, duration_s in rows
    ]


def mailbox_rows(
    use: Access,
) -> list[tuple[int, str, str, str | None, dt.datetime, int]]:
    """(id, mailbox, folder, caller, received, seconds) of what the actor may see.

    Newest first. For a customer the gate adds their scope (see the module
    docstring); the caller is the number, else the extension, else None.
    The audio, the raw caller id and the spool key are never read.
    """
    rows = use.rows(
        Voicemail.id,
        Voicemail.mailbox,
        Voicemail.folder,
        Voicemail.caller_e164,
        Voicemail.caller_extension,
        Voicemail.received_at,
        Voicemail.duration_s,
        order_by=(Voicemail.received_at.desc(), Voicemail.id),
    )
    return [
        (vm_id, mailbox, folder, e164 or extension, received_at, duration_s)
        for vm_id, mailbox, folder, e164, extension, received_at, duration_s in rows
    ]


def held_messages(
    use: Access, *, account_id: int, context: str, mailbox: str
) -> list[tuple[int, str]]:
    """(id, dedupe key) of every message held for one spool mailbox of an account."""
    rows = use.rows(
        Voicemail.id,
        Voicemail.dedupe_key,
        where=[
            Voicemail.account_id == account_id,
            Voicemail.context == context,
            Voicemail.mailbox == mailbox,
        ],
    )
    return [(vm_id, key) for vm_id, key in rows]


def message_held(use: Access, dedupe_key: str) -> bool:
    """Whether a message with this spool dedupe key is stored already."""
    return bool(
        use.rows(Voicemail.id, where=[Voicemail.dedupe_key == dedupe_key], limit=1)
    )


def voicemail_ids_of(use: Access, account_id: int) -> list[int]:
    """The ids of an account's stored messages (ids only: nothing else is read)."""
    return [
        vm_id
        for (vm_id,) in use.rows(
            Voicemail.id,
            where=[Voicemail.account_id == account_id],
            order_by=[Voicemail.id],
        )
    ]


def voicemail_row(use: Access, voicemail_id: int) -> Voicemail | None:
    """The stored message with this id (the caller's own row, to delete), or None."""
    found = use.select(Voicemail, Voicemail.id == voicemail_id)
    return found[0] if found else None


__all__ = [
    "held_messages",
    "mailbox_rows",
    "message_held",
    "voicemail_ids_of",
    "voicemail_listing",
    "voicemail_row",
]
