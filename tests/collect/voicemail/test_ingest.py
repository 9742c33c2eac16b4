"""Voicemail ingest and deletion: kept until the customer deletes it, then shredded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.samples import TELEPHONY
from tutela.audit import audit_log
from tutela.collect.accounts.contacts import open_account
from tutela.collect.quarantine import read_quarantine
from tutela.collect.voicemail.ingest import delete_voicemail, ingest_voicemail
from tutela.demo.telephony import tone_wav
from tutela.errors import InvalidInput, NotFound
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.retention.sweep import sweep
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import Voicemail
from tutela.store.rotation import rotate_keys

pytestmark = pytest.mark.clause("collect.service_use.voicemail")

SPOOL = Path(__file__).parents[1].joinpath("data") / "voicemail_spool"
SAMPLES = TELEPHONY / "asterisk_voicemail"


def _account(store: Store, ref: str = "default") -> int:
    with store.session() as session:
        return open_account(session, organization="Acme Dental", ref=ref).id


def _spool_from_samples(root: Path) -> Path:
    """The wazo metadata samples laid out as a spool, each with a WAV beside it."""
    box = root / "ACME" / "1001" / "INBOX"
    box.mkdir(parents=True)
    for n, sample in enumerate(sorted(SAMPLES.glob("*.txt"))):
        shutil.copy(sample, box / f"msg{n:04d}.txt")
        (box / f"msg{n:04d}.wav").write_bytes(tone_wav(0.2, hz=400 + n))
    return root


def test_sample_spool_ingests_with_expected_counts(store: Store) -> None:
    _account(store)
    summary = ingest_voicemail(store, SPOOL)
    # 8 items: 3 messages stored, 5 rejected (unreadable metadata, no audio,
    # audio without metadata ...); tmp/ and greetings are skipped.
    assert (summary.read, summary.stored, summary.rejected) == (8, 3, 5)
    assert summary.quarantine is not None
    assert len(read_quarantine(summary.quarantine)) == 5


def test_wazo_metadata_samples_ingest(store: Store, tmp_path: Path) -> None:
    _account(store, "ACME")
    summary = ingest_voicemail(store, _spool_from_samples(tmp_path / "spool"))
    # Both samples carry the same msg_id: one message, one duplicate.
    assert (summary.read, summary.stored, summary.duplicate) == (2, 1, 1)
    with store.session() as session:
        vm = session.scalars(select(Voicemail)).one()
        assert (vm.mailbox, vm.caller_extension, vm.duration_s) == ("1001", "101", 12)


def test_reingest_adds_nothing(store: Store) -> None:
    _account(store)
    ingest_voicemail(store, SPOOL)
    again = ingest_voicemail(store, SPOOL)
    assert (again.stored, again.duplicate) == (0, 3)


def test_audio_is_stored_encrypted_under_its_own_key(store: Store) -> None:
    _account(store)
    ingest_voicemail(store, SPOOL)
    blobs = BlobStore.in_data_dir(store.data_dir)
    audio = (SPOOL / "default/1001/INBOX/msg0000.wav").read_bytes()
    with store.session() as session:
        vm = session.scalars(select(Voicemail).where(Voicemail.folder == "INBOX"))
        first = vm.first()
        assert first is not None and first.audio_blob_id is not None
        assert blobs.get(session, first.audio_blob_id) == audio
        assert audio not in blobs.path_of(first.audio_blob_id).read_bytes()


def test_spool_that_is_not_a_directory_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        ingest_voicemail(store, tmp_path / "missing")


def test_message_without_account_is_rejected(store: Store) -> None:
    summary = ingest_voicemail(store, SPOOL)
    assert summary.stored == 0 and summary.rejected == summary.read


@pytest.mark.postgresql
def test_old_voicemail_survives_every_retention_job(
    store: Store, tmp_path: Path
) -> None:
    """No expiry: the policy has no period for voicemail, and no job removes it."""
    policy = load_policy(DEFAULT_POLICY)
    retention = policy.category("voicemail").retention
    assert retention.rule == "until_customer_deletes" and retention.days is None
    _account(store, "ACME")
    spool = _spool_from_samples(tmp_path / "spool")  # recorded in 2016
    ingest_voicemail(store, spool)
    # Every maintenance job there is: the retention sweep, key rotation, re-ingest.
    sweep(store)
    rotate_keys(store, retire_old=True)
    ingest_voicemail(store, spool)
    blobs = BlobStore.in_data_dir(store.data_dir)
    with store.session() as session:
        vm = session.scalars(select(Voicemail)).one()
        assert vm.received_at.year == 2016
        assert vm.audio_blob_id is not None
        assert blobs.get(session, vm.audio_blob_id).startswith(b"RIFF")


def _files(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


@pytest.mark.postgresql
def test_deleted_voicemail_cannot_be_recovered_from_the_store_files(
    store: Store,
) -> None:
    _account(store)
    ingest_voicemail(store, SPOOL)
    with store.session() as session:
        vm = session.scalars(select(Voicemail).order_by(Voicemail.id)).first()
        assert vm is not None and vm.audio_blob_id is not None
        vm_id, blob_id = vm.id, vm.audio_blob_id
    with store.engine.connect() as conn:
        sealed_key = conn.exec_driver_sql(
            "SELECT wrapped_key FROM blobs WHERE id = ?"
            if store.engine.dialect.name == "sqlite"
            else "SELECT wrapped_key FROM blobs WHERE id = %s",
            (blob_id,),
        ).scalar_one()
    blob_file = BlobStore.in_data_dir(store.data_dir).path_of(blob_id)
    ciphertext = blob_file.read_bytes()
    assert sealed_key.encode() in _files(store.data_dir) or (
        store.engine.dialect.name != "sqlite"
    )

    delete_voicemail(store, vm_id, actor="customer_admin:1")

    assert not blob_file.exists()
    leftovers = _files(store.data_dir)
    assert ciphertext[:64] not in leftovers
    assert sealed_key.encode() not in leftovers
    with store.session() as session:
        assert session.get(Voicemail, vm_id) is None


def test_deleted_voicemail_is_not_restored_by_reingest(store: Store) -> None:
    _account(store)
    ingest_voicemail(store, SPOOL)
    with store.session() as session:
        vm_id = session.scalars(select(Voicemail.id)).first()
    assert vm_id is not None
    delete_voicemail(store, vm_id, actor="system:cli")
    again = ingest_voicemail(store, SPOOL)
    assert again.stored == 0 and again.extra["deleted"] == 1


def test_deletion_is_scoped_to_the_account_and_audited(store: Store) -> None:
    _account(store)
    other = _account(store, "OTHER")
    ingest_voicemail(store, SPOOL)
    with store.session() as session:
        vm_id = session.scalars(select(Voicemail.id)).first()
    assert vm_id is not None
    with pytest.raises(NotFound):
        delete_voicemail(store, vm_id, actor="system:cli", account_id=other)
    seq_before, _ = audit_log(store).head()
    delete_voicemail(store, vm_id, actor="customer_admin:7")
    seq_after, _ = audit_log(store).head()
    assert seq_after == seq_before + 1
