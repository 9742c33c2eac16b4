"""Encrypted blob store for audio: one random key per blob, crypto-shredding.

Policy clauses ``collect.service_use.voicemail`` ("stores customers' voice
mail messages until the customer deletes them") and
``collect.service_use.call_recordings``. Each blob is a file under
``<data>/blobs/<id[:2]>/<id>`` holding ``nonce || AES-256-GCM(audio)``, with
the blob id bound in as associated data. Its 256-bit key is random, and is
kept only in ``Blob.wrapped_key``, an `Encrypted` column sealed by the store's
key ring.

A blob is personal data (voice mail, a recorded call, a subject's export):
`BlobStore.get` decrypts one only inside a read of the purpose gate
(`tutela.access.Access.blob`), which first reads the row that owns the blob
with the category of that row's column, for the actor's purpose, and audits
it; product code anywhere else gets `UngatedRead` (clause use.purposes).

`BlobStore.shred` overwrites the file with random bytes, syncs and unlinks
it, and nulls the wrapped key: without the key, a copy of the file that
escaped (a backup) is noise; without the file, a copy of the key is useless.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import sys
import uuid
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from tutela.errors import NotFound, TutelaError
from tutela.store.clock import utcnow
from tutela.store.gated import UngatedRead, in_gated_read, product_caller
from tutela.store.models import Blob

log = logging.getLogger(__name__)

BLOB_DIR: Final = "blobs"
MAX_BLOB_BYTES: Final = 256 * 1024 * 1024
_NONCE: Final = 12


class BlobError(TutelaError):
    """A blob's file is missing or does not decrypt."""


class BlobStore:
    """Blobs of one data directory; rows go through the caller's session."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> BlobStore:
        return cls(data_dir / BLOB_DIR)

    def path_of(self, blob_id: str) -> Path:
        if len(blob_id) != 36:  # a uuid4; never a path from outside
            raise NotFound("no such blob")
        return self.root / blob_id[:2] / blob_id

    def put(
        self, session: Session, *, account_id: int | None, data: bytes, media_type: str
    ) -> Blob:
        """Encrypt ``data`` under a fresh key, write it, and add its `Blob` row.

        The file is written (synced, renamed into place) before the row is
        flushed. If the caller's transaction then fails, call `discard` on the
        returned id so no orphan file stays behind.
        """
        if len(data) > MAX_BLOB_BYTES:
            raise TutelaError("blob is larger than the store accepts")
        blob_id = str(uuid.uuid4())
        key = AESGCM.generate_key(bit_length=256)
        nonce = secrets.token_bytes(_NONCE)
        sealed = AESGCM(key).encrypt(nonce, data, blob_id.encode("ascii"))
        self._write(self.path_of(blob_id), nonce + sealed)
        blob = Blob(
            id=blob_id,
            account_id=account_id,
            wrapped_key=base64.b64encode(key).decode("ascii"),
            media_type=media_type,
            size=len(data),
        )
        session.add(blob)
        session.flush()
        log.info("blob.stored blob_id=%s size=%d", blob_id, len(data))
        return blob

    def get(self, session: Session, blob_id: str) -> bytes:
        """The plaintext of a blob; `NotFound` once it has been shredded.

        Only inside a gate read (`tutela.access.Access.blob`, which checks and
        audits the row owning the blob first): product code gets `UngatedRead`
        anywhere else (`tutela.store.gated.product_caller`).
        """
        return self.read(session, blob_id)[0]

    def read(self, session: Session, blob_id: str) -> tuple[bytes, str]:
        """The plaintext of a blob and its media type (see `get`)."""
        caller = product_caller(sys._getframe(1), passing=(__name__,))
        if in_gated_read() is None and caller is not None:
            raise UngatedRead(
                "a blob is read only through the purpose gate (Access.blob), "
                "with the category of the row that owns it"
            )
        blob = session.get(Blob, blob_id)
        if blob is None or blob.wrapped_key is None:
            raise NotFound(f"blob {blob_id} does not exist or was shredded")
        try:
            raw = self.path_of(blob_id).read_bytes()
        except FileNotFoundError:
            raise BlobError(f"blob {blob_id}: its file is missing") from None
        key = base64.b64decode(blob.wrapped_key)
        try:
            data = AESGCM(key).decrypt(
                raw[:_NONCE], raw[_NONCE:], blob_id.encode("ascii")
            )
        except InvalidTag:
            raise BlobError(f"blob {blob_id}: its file does not decrypt") from None
        return data, blob.media_type

    def shred(self, session: Session, blob_id: str) -> None:
        """Destroy a blob: overwrite and unlink the file, null the wrapped key."""
        blob = session.get(Blob, blob_id)
        if blob is None:
            raise NotFound(f"blob {blob_id} does not exist")
        self.discard(blob_id)
        blob.wrapped_key = None
        blob.shredded_at = utcnow()
        session.flush()
        log.info("blob.shredded blob_id=%s", blob_id)

    def discard(self, blob_id: str) -> None:
        """Overwrite and unlink a blob's file, if there is one (no row change)."""
        path = self.path_of(blob_id)
        try:
            fd = os.open(path, os.O_WRONLY)
        except FileNotFoundError:
            return
        try:
            size = os.fstat(fd).st_size
            written = 0
            while written < size:
                written += os.write(
                    fd, secrets.token_bytes(min(1 << 20, size - written))
                )
            os.fsync(fd)
        finally:
            os.close(fd)
        path.unlink()

    def _write(self, path: Path, payload: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.root.chmod(0o700)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)


__all__ = ["BLOB_DIR", "BlobError", "BlobStore", "MAX_BLOB_BYTES"]
