"""Voicemail deleted on the phone system is deleted here (crypto-shredded).

Policy clause ``collect.service_use.voicemail``: "Jive also stores customers'
voice mail messages until the customer deletes them." A customer deletes a
message on the phone: app_voicemail removes its files from the spool (or,
with ``backupdeleted``, moves them to the ``Deleted`` folder). After an
ingest, `sync_voicemail` walks the spool again and shreds every message held
here for a scanned mailbox that the mailbox no longer holds: tombstone, row
deleted, audio file overwritten and its key destroyed
(`tutela.collect.voicemail.ingest.shred_voicemail`).

A spool that is not there must never read as "every message was deleted"
(an unmounted share, an empty directory given by mistake, a half-finished
copy). So nothing is removed unless all of these hold:

- the mailbox directory ``<spool>/<context>/<mailbox>`` exists, is not a
  link, can be listed, and holds a listable ``INBOX`` folder (app_voicemail
  creates it with the mailbox). Contexts and mailboxes absent from the spool
  are left alone;
- nothing in that mailbox was rejected on the second walk (an unreadable
  metadata file or folder could be a message held here);
- the mailbox's spool context names an account (or ``account_ref`` does),
  and only that account's messages of that mailbox are compared;
- the run would remove at most `MASS_DELETION_MIN` messages, or at most
  `MASS_DELETION_SHARE` of those held for the scanned mailboxes. Beyond that
  nothing is removed (``sync_refused``) unless ``allow_mass_deletion``.

A run whose ingest failed never reaches the sync (`ingest_and_sync`). Each
message is removed in its own transaction; the run appends one
``voicemail.removed_upstream`` audit entry (ids and counts only).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from tutela.access import Actor, access
from tutela.access.reads import held_messages, voicemail_row
from tutela.audit.log import record
from tutela.collect._gate import reading
from tutela.collect.cdr import Rejection
from tutela.collect.cdr.ingest import Owner, find_owner
from tutela.collect.quarantine import IngestSummary, safe_text
from tutela.collect.voicemail import spool as voicemail_spool
from tutela.collect.voicemail.ingest import (
    ingest_voicemail,
    shred_voicemail,
    spool_owner,
)
from tutela.store import BlobStore, Store

log = logging.getLogger(__name__)

ACTOR: Final = "system:voicemail-sync"
MASS_DELETION_MIN: Final = 10
MASS_DELETION_SHARE: Final = 0.5
INBOX: Final = "INBOX"

Mailbox = tuple[str, str]  # (context, mailbox) as named in the spool


# The sync reads what is held as the phone service it mirrors.
SYNC_ACTOR = Actor.system("voicemail_sync")


@dataclass
class SyncResult:
    """What one sync did: ids removed, mailboxes compared or left alone."""

    removed: list[int] = field(default_factory=list)
    mailboxes_synced: int = 0
    mailboxes_skipped: int = 0
    held: int = 0
    refused: str | None = None

    def counts(self) -> dict[str, int]:
        return {
            "removed_upstream": len(self.removed),
            "mailboxes_synced": self.mailboxes_synced,
            "mailboxes_skipped": self.mailboxes_skipped,
            "sync_refused": int(self.refused is not None),
        }


def _listable_dir(path: Path) -> bool:
    return (
        not path.is_symlink() and path.is_dir() and os.access(path, os.R_OK | os.X_OK)
    )


def _plain_dirs(path: Path) -> list[Path]:
    try:
        with os.scandir(path) as found:
            return sorted(
                Path(e.path) for e in found if e.is_dir(follow_symlinks=False)
            )
    except OSError:
        return []


def mailbox_dirs(root: Path) -> dict[Mailbox, Path]:
    """The mailboxes of a spool that can be compared: listable, with an INBOX."""
    found: dict[Mailbox, Path] = {}
    for context in _plain_dirs(root):
        for mailbox in _plain_dirs(context):
            if _listable_dir(mailbox) and _listable_dir(mailbox / INBOX):
                found[(context.name, mailbox.name)] = mailbox
    return found


def _scan(root: Path) -> tuple[dict[Mailbox, set[str]], set[tuple[str, ...]]]:
    """Message keys present per mailbox, and the path prefixes with rejections."""
    present: dict[Mailbox, set[str]] = {}
    troubled: set[tuple[str, ...]] = set()
    for item in voicemail_spool.parse(root):
        if isinstance(item, Rejection):
            try:
                parts = Path(item.file).relative_to(root).parts
            except ValueError:
                parts = ()
            troubled.add(parts[:2])
            continue
        if item.folder in voicemail_spool.CUSTOMER_DELETED_FOLDERS:
            continue
        present.setdefault((item.context, item.mailbox), set()).add(item.dedupe_key)
    return present, troubled


def _is_troubled(box: Mailbox, troubled: set[tuple[str, ...]]) -> bool:
    # A rejection at the spool root or in the box's context (or in the box)
    # means the walk did not see all of it.
    return bool(troubled & {(), (box[0],), box})


def _gone_ids(
    store: Store,
    boxes: list[Mailbox],
    present: dict[Mailbox, set[str]],
    default: Owner | None,
    result: SyncResult,
) -> list[int]:
    gone: list[int] = []
    with store.session() as session:
        owners = {box: spool_owner(session, box[0], default) for box in boxes}
    # What is held is read through the gate (audited), before any write.
    with access(store, actor=SYNC_ACTOR, purpose="deliver_services") as use:
        for (context, mailbox), owner in owners.items():
            if owner is None:
                result.mailboxes_skipped += 1
                continue
            held = held_messages(
                use,
                account_id=owner.id,
                context=safe_text(context),
                mailbox=safe_text(mailbox),
            )
            keys = present.get((context, mailbox), set())
            result.mailboxes_synced += 1
            result.held += len(held)
            gone.extend(vm_id for vm_id, key in held if key not in keys)
    return sorted(gone)


def sync_voicemail(
    store: Store,
    spool_dir: Path,
    *,
    account_ref: str | None = None,
    allow_mass_deletion: bool = False,
) -> SyncResult:
    """Shred the messages of scanned mailboxes that the spool no longer holds."""
    root = Path(spool_dir)
    default = find_owner(store, account_ref) if account_ref else None
    result = SyncResult()
    gone: list[int] = []
    if _listable_dir(root):  # else nothing was scanned, so nothing is gone
        boxes = mailbox_dirs(root)
        present, troubled = _scan(root)
        comparable = []
        for box in sorted(boxes):
            if _is_troubled(box, troubled) or not _listable_dir(boxes[box] / INBOX):
                result.mailboxes_skipped += 1
            else:
                comparable.append(box)
        gone = _gone_ids(store, comparable, present, default, result)
    too_many = len(gone) > MASS_DELETION_MIN and (
        len(gone) > result.held * MASS_DELETION_SHARE
    )
    if too_many and not allow_mass_deletion:
        result.refused = (
            f"{len(gone)} of {result.held} messages of the scanned mailboxes are "
            "missing from the spool; nothing was removed (is the spool complete? "
            "if so, run again with --allow-mass-deletion)"
        )
    else:
        result.removed = _remove(store, gone)
    record(
        store,
        actor=ACTOR,
        action="voicemail.removed_upstream",
        details=result.counts() | {"voicemail_ids": result.removed},
    )
    log.info(
        "voicemail.sync removed=%d synced=%d skipped=%d refused=%s",
        len(result.removed),
        result.mailboxes_synced,
        result.mailboxes_skipped,
        result.refused is not None,
    )
    return result


def _remove(store: Store, ids: list[int]) -> list[int]:
    blobs = BlobStore.in_data_dir(store.data_dir)
    sqlite = store.engine.dialect.name == "sqlite"
    removed = []
    for vm_id in ids:
        with store.session() as session:
            if sqlite:
                session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
            with reading(session, actor=SYNC_ACTOR) as use:
                voicemail = voicemail_row(use, vm_id)
            if voicemail is None:  # deleted meanwhile, by the customer here
                continue
            shred_voicemail(session, blobs, voicemail)
        removed.append(vm_id)
    if sqlite and removed:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return removed


def ingest_and_sync(
    store: Store,
    spool_dir: Path,
    *,
    account_ref: str | None = None,
    allow_mass_deletion: bool = False,
) -> tuple[IngestSummary, SyncResult]:
    """Ingest a spool, then (only if the ingest finished) sync deletions."""
    summary = ingest_voicemail(store, spool_dir, account_ref=account_ref)
    result = sync_voicemail(
        store,
        spool_dir,
        account_ref=account_ref,
        allow_mass_deletion=allow_mass_deletion,
    )
    summary.extra |= result.counts()
    return summary, result


__all__ = [
    "MASS_DELETION_MIN",
    "MASS_DELETION_SHARE",
    "SyncResult",
    "ingest_and_sync",
    "mailbox_dirs",
    "sync_voicemail",
]
