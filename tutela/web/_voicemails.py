"""A customer's own voice mail, read and deleted through the purpose gate.

Clauses: collect.service_use.voicemail ("Jive also stores customers' voice
mail messages until the customer deletes them": the customer deletes them
here, from the portal or the API, and listen to them there), use.purposes (`deliver_services`),
scope.business_only (the gate confines a customer admin to their account and
an end user to the mailboxes of their own extensions).

A voicemail outside the actor's reach is answered exactly like one that does
not exist (`NotFound`), so ids of other customers cannot be probed; the gate
still writes the refused attempt to the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tutela.access import Actor, access
from tutela.collect.voicemail.ingest import delete_voicemail
from tutela.errors import NotFound, PurposeDenied
from tutela.rights.export.bundle import audio_types
from tutela.store import BlobStore, Store, utc_aware
from tutela.store.models import Voicemail

PURPOSE = "deliver_services"


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
        rows = use.select(
            Voicemail, order_by=(Voicemail.received_at.desc(), Voicemail.id)
        )
        return [
            MailboxItem(
                id=vm.id,
                mailbox=vm.mailbox,
                folder=vm.folder,
                caller=vm.caller_e164 or vm.caller_extension or "unknown",
                received_at=_utc(vm.received_at),
                duration_s=vm.duration_s,
            )
            for vm in rows
        ]


def delete_own_voicemail(store: Store, actor: Actor, voicemail_id: int) -> None:
    """Delete (crypto-shred) a voicemail the customer actor may see."""
    missing = NotFound(f"voicemail {voicemail_id} is not in your mailbox")
    try:
        with access(store, actor=actor, purpose=PURPOSE) as use:
            use.get(Voicemail, voicemail_id)
    except (NotFound, PurposeDenied):
        raise missing from None
    try:
        delete_voicemail(
            store, voicemail_id, actor=actor.id, account_id=actor.account_id
        )
    except NotFound:
        raise missing from None


@dataclass(frozen=True)
class VoicemailAudio:
    data: bytes
    media_type: str


def voicemail_audio(
    store: Store, actor: Actor, voicemail_id: int, *, blobs: BlobStore
) -> VoicemailAudio:
    """The recording of a voicemail the customer actor may see, to play it.

    Read through the gate (`deliver_services`): someone else's voicemail, a
    deleted one and one without audio are all `NotFound`.
    """
    missing = NotFound(f"voicemail {voicemail_id} has no recording to play")
    try:
        with access(store, actor=actor, purpose=PURPOSE) as use:
            blob_id = use.get(Voicemail, voicemail_id).audio_blob_id
    except (NotFound, PurposeDenied):
        raise missing from None
    if blob_id is None:
        raise missing
    with store.session() as session:
        media_type = audio_types(session, [blob_id]).get(blob_id)
        if media_type is None:  # shredded
            raise missing
        return VoicemailAudio(blobs.get(session, blob_id), media_type)
