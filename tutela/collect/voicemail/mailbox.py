"""A customer's own voice mail: list it, play it, delete it.

Clauses: collect.service_use.voicemail ("Jive also stores customers' voice
mail messages until the customer deletes them": the customer lists, plays
and deletes them here, from the portal or the API), use.purposes
(`deliver_services`, every read through the gate and audited),
scope.business_only (the gate keeps a customer admin to their account and an
end user to the voice mail of the extensions they held, for the time they
held them: `tutela.access.held_by`), rights.access (a re-assigned extension's
earlier messages stay with the holder of that time).

A voicemail outside the actor's reach is answered exactly like one that does
not exist (`NotFound`), so ids of other customers cannot be probed; the gate
still writes the refused attempt to the audit log. The portal and the API
(`tutela.web.routes.portal`) only parse, call these and render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from tutela.access import Actor, StoredBlob, access
from tutela.access.reads import mailbox_rows
from tutela.collect.voicemail.ingest import delete_voicemail
from tutela.errors import NotFound, PurposeDenied
from tutela.store import BlobStore, Store, utc_aware
from tutela.store.models import Voicemail

PURPOSE: Final = "deliver_services"


@dataclass(frozen=True)
class MailboxItem:
    """One message as the portal and the API show it (no audio, no blob id)."""

    id: int
    mailbox: str
    folder: str
    caller: str
    received_at: str
    duration_s: int

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _utc(when: dt.datetime) -> str:
    return utc_aware(when).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def mailbox(store: Store, actor: Actor) -> list[MailboxItem]:
    """The voicemails `actor` may see, newest first."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = mailbox_rows(use)
    return [
        MailboxItem(
            id=vm_id,
            mailbox=box,
            folder=folder,
            caller=caller or "unknown",
            received_at=_utc(received_at),
            duration_s=duration_s,
        )
        for vm_id, box, folder, caller, received_at, duration_s in rows
    ]


def voicemail_audio(
    store: Store, actor: Actor, voicemail_id: int, *, blobs: BlobStore
) -> StoredBlob:
    """The recording of a voicemail the customer actor may see, to play it.

    Read through the gate as the message's audio (`Access.blob`): someone
    else's voicemail, a deleted one and one without audio are all `NotFound`.
    """
    try:
        with access(store, actor=actor, purpose=PURPOSE) as use:
            return use.blob(
                Voicemail.audio_blob_id, Voicemail.id == voicemail_id, blobs=blobs
            )
    except (NotFound, PurposeDenied):
        raise NotFound(f"voicemail {voicemail_id} has no recording to play") from None


def delete_own_voicemail(store: Store, actor: Actor, voicemail_id: int) -> None:
    """Delete (crypto-shred) a voicemail the customer actor may see.

    The message is read through the gate as `actor` inside the deletion's
    own transaction, so the scope checked is the scope deleted from.
    """
    try:
        delete_voicemail(
            store,
            voicemail_id,
            actor=actor.id,
            account_id=actor.account_id,
            reader=actor,
        )
    except (NotFound, PurposeDenied):
        raise NotFound(f"voicemail {voicemail_id} is not in your mailbox") from None


__all__ = [
    "MailboxItem",
    "PURPOSE",
    "delete_own_voicemail",
    "mailbox",
    "voicemail_audio",
]
