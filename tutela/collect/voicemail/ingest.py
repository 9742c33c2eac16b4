"""Ingest an Asterisk voicemail spool; delete a voicemail by crypto-shredding it.

Policy clause ``collect.service_use.voicemail``: "Jive also stores customers'
voice mail messages until the customer deletes them."

- Each message's audio goes to the encrypted `BlobStore`, under its own key.
  When a message was recorded in several formats, one is kept (WAV first).
  Audio is checked by content (`tutela.collect.voicemail.audio`): a file that is not
  WAV or GSM audio, or a symbolic link, is never stored; the message is
  rejected with the reason.
- There is no automatic expiry: nothing in Tutela deletes a voicemail except
  `delete_voicemail`, which the customer (or staff on their behalf) invokes,
  and `tutela.collect.voicemail.sync`, when the customer deleted it on the
  phone system. A message in the spool's ``Deleted`` folder (Asterisk's
  ``backupdeleted``) was deleted by the customer: it is never stored.
  It shreds the blob (file overwritten and unlinked, key nulled), deletes the
  row and leaves a tombstone (a digest of the message's key) so that a later
  ingest of the same spool does not bring the message back.
- Same rules as call records: a summary of read, stored, duplicate and
  rejected; rejections quarantined with file, line and reason (a message
  whose metadata cannot be read is rejected, not guessed); re-ingest adds
  nothing. The owning account is the one whose ``ref`` is the spool context,
  else the default account given by the caller.

Transaction boundary: one transaction per message (its blob row and its
voicemail row together). The blob file is written first and shredded again
if the transaction fails, so no orphan audio stays on disk. The run is
recorded from its start (`tutela.collect.runs`): a killed run keeps the
messages it committed and shows as ``interrupted``; running it again stores
the rest.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tutela import audit
from tutela.access import Actor
from tutela.access.reads import message_held, owners_by_ref
from tutela.collect._gate import reading
from tutela.collect.accounts.numbers import normalize_number, split_callerid
from tutela.collect.cdr import Rejection
from tutela.collect.cdr.ingest import Owner, find_owner
from tutela.collect.quarantine import (
    IngestSummary,
    Quarantine,
    is_text,
    quarantine_dir,
    safe_text,
)
from tutela.collect.runs import begin_run, end_run, end_run_failed
from tutela.collect.voicemail import spool as voicemail_spool
from tutela.collect.voicemail.audio import (
    NotReadable,
    TooLarge,
    audio_format,
    read_regular,
)
from tutela.errors import InvalidInput, NotFound
from tutela.store import MAX_BLOB_BYTES, BlobStore, Store
from tutela.store.models import Voicemail, VoicemailTombstone

log = logging.getLogger(__name__)

MEDIA_TYPES: Final = {"wav": "audio/wav", "gsm": "audio/gsm"}
_ACTOR: Final = re.compile(r"[a-z_]+:[A-Za-z0-9_.\-]{1,100}")  # as the audit log
_LIMITS: Final = {"context": 80, "mailbox": 40, "folder": 20, "caller": 200}


def key_digest(dedupe_key: str) -> str:
    """What a tombstone keeps of a deleted message: a digest of its key."""
    return hashlib.sha256(dedupe_key.encode("utf-8", "surrogateescape")).hexdigest()


def _pick_audio(paths: tuple[Path, ...]) -> tuple[bytes, str] | str:
    """The first file (WAV first) that is audio: its bytes and format, else why not."""
    reasons = []
    for path in sorted(paths, key=lambda p: (p.suffix.lower() != ".wav", p.name)):
        try:
            data = read_regular(path, MAX_BLOB_BYTES)
        except TooLarge:
            reasons.append(f"{path.name} is larger than the store accepts")
            continue
        except NotReadable as err:
            reasons.append(f"{safe_text(path.name)} {err.reason}")
            continue
        found = audio_format(data)
        if found is not None:
            return data, found
        reasons.append(f"{safe_text(path.name)} is not WAV or GSM audio")
    return "no audio file can be stored: " + "; ".join(reasons)


def spool_owner(session: Session, context: str, default: Owner | None) -> Owner | None:
    """The account of a spool context: the one whose ref it is, else ``default``."""
    if not is_text(context):  # not UTF-8 text: no account's ref
        return default
    with reading(session) as use:
        found = owners_by_ref(use, [context]).get(context)
    return Owner(*found) if found is not None else default


def _problem(message: voicemail_spool.VoicemailMessage) -> str | None:
    values = {
        "context": message.context,
        "mailbox": message.mailbox,
        "folder": message.folder,
        "caller": message.callerid,
    }
    for name, value in values.items():
        if len(safe_text(value)) > _LIMITS[name]:
            return f"{name} is longer than {_LIMITS[name]} characters"
    if message.duration_s > 2**31 - 1:
        return "duration is out of range"
    return None


def _store_message(
    store: Store,
    blobs: BlobStore,
    message: voicemail_spool.VoicemailMessage,
    default: Owner | None,
) -> str:
    """Store one message; 'stored', 'duplicate', 'deleted' or a rejection reason."""
    with store.writing() as session:
        with reading(session) as use:
            held = message_held(use, message.dedupe_key)
        if held:
            return "duplicate"
        digest = key_digest(message.dedupe_key)
        gone = select(VoicemailTombstone.id).where(
            VoicemailTombstone.key_digest == digest
        )
        if session.scalar(gone) is not None:
            return "deleted"
        owner = spool_owner(session, message.context, default)
        if owner is None:
            return "no account: the spool context is not an account ref"
        problem = _problem(message)
        if problem:
            return problem
        audio = _pick_audio(message.audio_paths)
        if isinstance(audio, str):
            return audio
        data, audio_kind = audio
        blob = blobs.put(
            session, account_id=owner.id, data=data, media_type=MEDIA_TYPES[audio_kind]
        )
        try:
            _, number = split_callerid(message.callerid)
            caller = normalize_number(number, owner.region)
            session.add(
                Voicemail(
                    account_id=owner.id,
                    dedupe_key=message.dedupe_key[:128],
                    context=safe_text(message.context),
                    mailbox=safe_text(message.mailbox),
                    folder=safe_text(message.folder),
                    caller_raw=safe_text(message.callerid) or None,
                    caller_e164=caller.e164,
                    caller_extension=caller.extension,
                    received_at=message.origtime,
                    duration_s=message.duration_s,
                    audio_blob_id=blob.id,
                )
            )
            session.flush()
        except BaseException:
            blobs.discard(blob.id)
            raise
    return "stored"


def _ingest_item(
    store: Store,
    blobs: BlobStore,
    item: voicemail_spool.VoicemailItem,
    default: Owner | None,
    quarantine: Quarantine,
    summary: IngestSummary,
) -> None:
    summary.read += 1
    if isinstance(item, Rejection):
        quarantine.add_rejection(item)
        summary.rejected += 1
        return
    if item.folder in voicemail_spool.CUSTOMER_DELETED_FOLDERS:
        # Deleted on the phone system (kept there by backupdeleted): never
        # stored; the voicemail sync shreds a copy held here.
        summary.extra["deleted"] += 1
        return
    outcome = _store_message(store, blobs, item, default)
    if outcome in ("stored", "duplicate"):
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    elif outcome == "deleted":
        summary.extra["deleted"] += 1
    else:
        quarantine.add(file=str(item.metadata_path), line=None, reason=outcome)
        summary.rejected += 1


def ingest_voicemail(
    store: Store, spool_dir: Path, *, account_ref: str | None = None
) -> IngestSummary:
    """Ingest every message of an app_voicemail spool (see the module docstring).

    Raises `InvalidInput` when ``spool_dir`` is not a directory (nothing
    stored) and `NotFound` for an unknown ``account_ref``.
    """
    default = find_owner(store, account_ref) if account_ref else None
    items = voicemail_spool.parse(spool_dir)
    blobs = BlobStore.in_data_dir(store.data_dir)
    summary = IngestSummary(source=str(spool_dir), kind="voicemail")
    summary.extra["deleted"] = 0
    run_id = begin_run(store, summary)
    with Quarantine(quarantine_dir(store.data_dir), source="voicemail") as quarantine:
        try:
            for item in items:
                _ingest_item(store, blobs, item, default, quarantine, summary)
        except BaseException as exc:
            summary.close_quarantine(quarantine)
            end_run_failed(store, run_id, summary, exc)
            raise
        summary.close_quarantine(quarantine)
    end_run(store, run_id, summary, status="done")
    log.info(
        "ingest.voicemail read=%d stored=%d duplicate=%d rejected=%d deleted=%d",
        summary.read,
        summary.stored,
        summary.duplicate,
        summary.rejected,
        summary.extra["deleted"],
    )
    return summary


def shred_voicemail(session: Session, blobs: BlobStore, voicemail: Voicemail) -> None:
    """Tombstone a message, drop its row and shred its audio (caller commits)."""
    session.add(
        VoicemailTombstone(
            account_id=voicemail.account_id,
            key_digest=key_digest(voicemail.dedupe_key),
        )
    )
    blob_id = voicemail.audio_blob_id
    session.delete(voicemail)
    session.flush()
    if blob_id is not None:
        blobs.shred(session, blob_id)


def delete_voicemail(
    store: Store,
    voicemail_id: int,
    *,
    actor: str,
    account_id: int | None = None,
    reader: Actor | None = None,
) -> None:
    """Delete a voicemail for good: shred its audio, drop its row, leave a tombstone.

    ``actor`` is the surrogate id of who asked (``customer_admin:12``,
    ``system:cli``); the deletion is appended to the audit log under it.
    ``account_id`` scopes the deletion to one tenant (`NotFound` otherwise).
    With ``reader`` (a customer deleting their own), the message is first
    read through the gate as them, inside the deletion's transaction: one
    outside their reach is refused (`PurposeDenied`, audited) or `NotFound`.
    On SQLite the freed pages are zeroed (``secure_delete``) and the WAL is
    checkpointed, so the row and the key do not linger in the database files.
    """
    if not _ACTOR.fullmatch(actor):
        raise InvalidInput("is not a surrogate id like 'system:cli'", field="actor")
    blobs = BlobStore.in_data_dir(store.data_dir)
    sqlite = store.engine.dialect.name == "sqlite"
    with store.session() as session:
        if sqlite:
            session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        if reader is not None:
            with reading(session, actor=reader) as use:
                use.get(Voicemail, voicemail_id)
        # A write, not a read: the row goes by id (in the tenant, when given)
        # and hands back only what its tombstone and shredding need; the
        # deletion is audited below as `voicemail.delete`.
        scope = [Voicemail.id == voicemail_id]
        if account_id is not None:
            scope.append(Voicemail.account_id == account_id)
        gone = session.execute(
            delete(Voicemail)
            .where(*scope)
            .returning(
                Voicemail.account_id, Voicemail.dedupe_key, Voicemail.audio_blob_id
            )
        ).first()
        if gone is None:
            raise NotFound(f"voicemail {voicemail_id} does not exist")
        owner, dedupe_key, blob_id = gone
        session.add(
            VoicemailTombstone(account_id=owner, key_digest=key_digest(dedupe_key))
        )
        session.flush()
        if blob_id is not None:
            blobs.shred(session, blob_id)
    if sqlite:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    # The audit log commits on its own; append once the deletion has committed.
    audit.record(
        store,
        actor=actor,
        action="voicemail.delete",
        details={
            "voicemail_id": voicemail_id,
            "account_id": owner,
            "blob_shredded": blob_id is not None,
        },
    )
    log.info("voicemail.deleted voicemail_id=%d", voicemail_id)


__all__ = [
    "delete_voicemail",
    "ingest_voicemail",
    "key_digest",
    "shred_voicemail",
    "spool_owner",
]
