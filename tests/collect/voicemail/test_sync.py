"""Voicemail the customer deleted on the phone system is shredded here too.

Attacks first: an empty, missing, partial or damaged spool must never read
as "every message was deleted".
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.cli_runner import tutela
from tests.factories import store_env
from tests.samples import TELEPHONY
from tutela.collect.accounts.contacts import open_account
from tutela.collect.voicemail.ingest import ingest_voicemail, key_digest
from tutela.collect.voicemail.sync import (
    MASS_DELETION_MIN,
    ingest_and_sync,
    sync_voicemail,
)
from tutela.config import Settings
from tutela.demo.telephony import tone_wav
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import AuditEntry, Blob, Voicemail, VoicemailTombstone

pytestmark = pytest.mark.clause("collect.service_use.voicemail")

TEMPLATE = (TELEPHONY / "asterisk_voicemail" / "wazo_calld_msg_example.txt").read_text(
    encoding="utf-8"
)


def _account(store: Store, ref: str = "ACME") -> int:
    with store.session() as session:
        return open_account(session, organization="Acme Dental", ref=ref).id


def _put(root: Path, n: int, *, mailbox: str = "1001", folder: str = "INBOX") -> None:
    """Message n (msg_id unique per n) of ACME/<mailbox>/<folder>."""
    box = root / "ACME" / mailbox / folder
    box.mkdir(parents=True, exist_ok=True)
    metadata = TEMPLATE.replace(
        "msg_id=1478200319-00000000", f"msg_id=1478200319-{mailbox}-{n:08d}"
    ).replace("origtime=1478200319", f"origtime={1478200319 + n}")
    (box / f"msg{n:04d}.txt").write_text(metadata, encoding="utf-8")
    (box / f"msg{n:04d}.wav").write_bytes(tone_wav(0.05, hz=300 + n))


def _drop(root: Path, n: int, *, mailbox: str = "1001", folder: str = "INBOX") -> None:
    for suffix in ("txt", "wav"):
        (root / "ACME" / mailbox / folder / f"msg{n:04d}.{suffix}").unlink()


def _spool(root: Path, count: int, *, mailbox: str = "1001") -> Path:
    for n in range(count):
        _put(root, n, mailbox=mailbox)
    return root


def _held(store: Store) -> dict[int, tuple[str, str | None]]:
    with store.session() as session:
        rows = session.execute(
            select(Voicemail.id, Voicemail.dedupe_key, Voicemail.audio_blob_id)
        ).all()
    return {vm_id: (key, blob) for vm_id, key, blob in rows}


def _count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(Voicemail)) or 0


# --- attacks: nothing must be wiped -----------------------------------------


@pytest.mark.parametrize("kind", ["empty", "other_context", "no_inbox", "bare_box"])
def test_an_empty_or_partial_spool_removes_nothing(
    store: Store, tmp_path: Path, kind: str
) -> None:
    _account(store)
    spool = _spool(tmp_path / "spool", 3)
    ingest_and_sync(store, spool)
    assert _count(store) == 3
    other = tmp_path / "other"
    if kind == "empty":  # an unmounted share: the mount point is empty
        other.mkdir()
    elif kind == "other_context":  # only some other customer's context
        _put(other, 0)
        (other / "ACME").rename(other / "BETA")
    elif kind == "no_inbox":  # the mailbox, but a half-copied tree
        (other / "ACME" / "1001" / "Old").mkdir(parents=True)
    else:  # the mailbox directory alone
        (other / "ACME" / "1001").mkdir(parents=True)
    summary, result = ingest_and_sync(store, other)
    assert result.removed == []
    assert summary.extra["removed_upstream"] == 0
    assert _count(store) == 3


def test_a_missing_spool_path_fails_and_removes_nothing(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    ingest_and_sync(store, _spool(tmp_path / "spool", 2))
    with pytest.raises(Exception, match="not a directory"):
        ingest_and_sync(store, tmp_path / "not-mounted")
    assert sync_voicemail(store, tmp_path / "not-mounted").removed == []
    assert _count(store) == 2


def test_a_mailbox_with_a_rejected_message_is_left_alone(
    store: Store, tmp_path: Path
) -> None:
    # A metadata file that cannot be read now may be a message we hold.
    _account(store)
    spool = _spool(tmp_path / "spool", 3)
    ingest_and_sync(store, spool)
    (spool / "ACME/1001/INBOX/msg0001.txt").write_bytes(b"\x00garbage")
    _drop(spool, 2)
    summary, result = ingest_and_sync(store, spool)
    assert summary.rejected == 1
    assert (result.removed, result.mailboxes_skipped) == ([], 1)
    assert _count(store) == 3


def test_a_linked_inbox_is_not_trusted(store: Store, tmp_path: Path) -> None:
    _account(store)
    spool = _spool(tmp_path / "spool", 2)
    ingest_and_sync(store, spool)
    inbox = spool / "ACME/1001/INBOX"
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    shutil.rmtree(inbox)
    os.symlink(empty, inbox)
    _, result = ingest_and_sync(store, spool)
    assert result.removed == []
    assert _count(store) == 2


def test_mass_deletion_is_refused_unless_explicitly_allowed(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    total = MASS_DELETION_MIN + 4
    spool = _spool(tmp_path / "spool", total)
    ingest_and_sync(store, spool)
    for n in range(total):  # the INBOX is there, but empty
        _drop(spool, n)
    summary, refused = ingest_and_sync(store, spool)
    assert refused.refused is not None and refused.removed == []
    assert summary.extra["sync_refused"] == 1
    assert _count(store) == total
    _, allowed = ingest_and_sync(store, spool, allow_mass_deletion=True)
    assert len(allowed.removed) == total
    assert _count(store) == 0


def test_other_mailboxes_and_accounts_are_untouched(
    store: Store, tmp_path: Path
) -> None:
    acme = _account(store)
    beta = _account(store, "BETA")
    first = _spool(tmp_path / "a", 2)
    _spool(first, 2, mailbox="1002")
    ingest_and_sync(store, first)
    # The same context and mailbox names, filed under another account.
    other = _spool(tmp_path / "b", 1)
    (other / "ACME").rename(other / "default")
    ingest_voicemail(store, other, account_ref="BETA")
    assert _count(store) == 5
    # A spool that holds only mailbox 1001, and no message 1 any more.
    partial = _spool(tmp_path / "c", 2)
    _drop(partial, 1)
    _, result = ingest_and_sync(store, partial)
    assert len(result.removed) == 1
    with store.session() as session:
        kept = session.execute(select(Voicemail.account_id, Voicemail.mailbox)).all()
    assert Counter(tuple(row) for row in kept) == {
        (acme, "1001"): 1,
        (acme, "1002"): 2,
        (beta, "1001"): 1,
    }


# --- the promise: deleted there, deleted here --------------------------------


@pytest.mark.postgresql
def test_a_message_deleted_on_the_phone_system_is_shredded_here(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    spool = _spool(tmp_path / "spool", 3)
    ingest_and_sync(store, spool)
    before = _held(store)
    _drop(spool, 1)
    summary, result = ingest_and_sync(store, spool)
    assert summary.extra["removed_upstream"] == 1
    after = _held(store)
    (gone_id,) = set(before) - set(after)
    assert result.removed == [gone_id]
    gone_key, gone_blob = before[gone_id]
    assert gone_blob is not None
    blobs = BlobStore.in_data_dir(store.data_dir)
    assert not blobs.path_of(gone_blob).exists()
    with store.session() as session:
        blob = session.get(Blob, gone_blob)
        assert blob is None or blob.wrapped_key is None
        tombstones = session.scalars(select(VoicemailTombstone.key_digest)).all()
        audit = session.scalars(
            select(AuditEntry.details).where(
                AuditEntry.action == "voicemail.removed_upstream"
            )
        ).all()
    assert key_digest(gone_key) in tombstones
    assert any(gone_id in json.loads(d)["voicemail_ids"] for d in audit)
    # Idempotent: the next run finds nothing more to remove.
    _, again = ingest_and_sync(store, spool)
    assert (again.removed, _count(store)) == ([], 2)


def test_moved_to_old_is_kept_moved_to_deleted_is_shredded(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    spool = _spool(tmp_path / "spool", 2)
    ingest_and_sync(store, spool)
    _drop(spool, 0)
    _put(spool, 0, folder="Old")  # listened to: still the customer's message
    _drop(spool, 1)
    _put(spool, 1, folder="Deleted")  # backupdeleted keeps a copy there
    summary, result = ingest_and_sync(store, spool)
    assert len(result.removed) == 1
    assert summary.extra["deleted"] == 1
    with store.session() as session:
        assert session.scalars(select(Voicemail.folder)).all() == ["INBOX"]


def test_cli_exits_1_when_a_mass_deletion_is_refused(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    _account(store)
    total = MASS_DELETION_MIN + 1
    spool = _spool(tmp_path / "spool", total)
    ingest_and_sync(store, spool)
    for n in range(total):
        _drop(spool, n)
    env = store_env(settings)
    command = ["ingest", "voicemail", str(spool), "--json"]
    done = tutela(*command, env=env, clean_env=True)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["sync_refused"] == 1
    assert _count(store) == total
    allowed = tutela(*command, "--allow-mass-deletion", env=env, clean_env=True)
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["removed_upstream"] == total
    assert _count(store) == 0
