"""The blob store: per-blob keys, authenticated files, crypto-shredding."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import select

from tutela.collect.accounts.contacts import open_account
from tutela.errors import NotFound
from tutela.store.blobs import BlobError, BlobStore
from tutela.store.db import Store
from tutela.store.models import Blob

AUDIO = b"RIFF-not-really-audio-" * 50

pytestmark = pytest.mark.clause("collect.service_use.voicemail")


def _account_id(store: Store) -> int:
    with store.session() as session:
        return open_account(session, organization="Blob Test Ltd", ref="B-1").id


def test_blob_round_trips_and_is_encrypted_on_disk(store: Store) -> None:
    blobs = BlobStore.in_data_dir(store.data_dir)
    account_id = _account_id(store)
    with store.session() as session:
        blob_id = blobs.put(
            session, account_id=account_id, data=AUDIO, media_type="audio/wav"
        ).id
    raw = blobs.path_of(blob_id).read_bytes()
    assert b"RIFF-not-really" not in raw
    assert stat.S_IMODE(os.stat(blobs.path_of(blob_id)).st_mode) == 0o600
    with store.session() as session:
        assert blobs.get(session, blob_id) == AUDIO


def test_each_blob_has_its_own_key(store: Store) -> None:
    blobs = BlobStore.in_data_dir(store.data_dir)
    account_id = _account_id(store)
    with store.session() as session:
        first = blobs.put(session, account_id=account_id, data=AUDIO, media_type="a")
        second = blobs.put(session, account_id=account_id, data=AUDIO, media_type="a")
        assert first.wrapped_key != second.wrapped_key
    with store.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT wrapped_key FROM blobs").scalars().all()
    assert all(str(value).startswith("v1:") for value in sealed)


def test_shredded_blob_has_no_key_and_no_file(store: Store) -> None:
    blobs = BlobStore.in_data_dir(store.data_dir)
    account_id = _account_id(store)
    with store.session() as session:
        blob_id = blobs.put(
            session, account_id=account_id, data=AUDIO, media_type="a"
        ).id
    path = blobs.path_of(blob_id)
    with store.session() as session:
        blobs.shred(session, blob_id)
    assert not path.exists()
    with store.session() as session:
        row = session.scalars(select(Blob).where(Blob.id == blob_id)).one()
        assert row.wrapped_key is None and row.shredded_at is not None
        with pytest.raises(NotFound):
            blobs.get(session, blob_id)


def test_tampered_blob_file_does_not_decrypt(store: Store) -> None:
    blobs = BlobStore.in_data_dir(store.data_dir)
    account_id = _account_id(store)
    with store.session() as session:
        blob_id = blobs.put(
            session, account_id=account_id, data=AUDIO, media_type="a"
        ).id
    path = blobs.path_of(blob_id)
    data = bytearray(path.read_bytes())
    data[20] ^= 1
    path.write_bytes(bytes(data))
    with store.session() as session, pytest.raises(BlobError):
        blobs.get(session, blob_id)
