"""Signed checkpoints of the audit chain.

Clause: secure.measures. A hash chain alone shows edits, deletions and
reordering, but someone with write access could rebuild the whole chain from
scratch. A checkpoint is an Ed25519 signature over (seq, hash, time) of the
chain at an entry, made with a key kept outside the database; a rebuilt chain
no longer matches the signed hashes. Export checkpoints (or the public key's
fingerprint) elsewhere to anchor them further.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, insert, select

from tutela.audit._encoding import utc_stamp
from tutela.audit.signing_keys import Signer, Verifier
from tutela.store.models import AuditCheckpoint

_table = cast(Table, AuditCheckpoint.__table__)


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key_id: str
    signature: str

    def message(self) -> bytes:
        return checkpoint_message(self.seq, self.hash, self.at)

    def valid_under(self, verifier: Verifier) -> bool:
        if self.key_id != verifier.key_id:
            return False
        try:
            signature = base64.b64decode(self.signature, validate=True)
        except ValueError:
            return False
        return verifier.verify(signature, self.message())


def checkpoint_message(seq: int, digest: str, at: str) -> bytes:
    return f"tutela-audit-checkpoint:v1:{seq}:{digest}:{at}".encode()


def write_checkpoint(
    conn: Connection, signer: Signer, seq: int, digest: str
) -> Checkpoint:
    """Sign entry `seq` (whose hash is `digest`) unless it is signed already."""
    existing = load_checkpoints(conn, seq=seq)
    if existing:
        return existing[0]
    at = utc_stamp()
    signature = base64.b64encode(
        signer.sign(checkpoint_message(seq, digest, at))
    ).decode("ascii")
    checkpoint = Checkpoint(seq, digest, at, signer.key_id, signature)
    conn.execute(
        insert(_table).values(
            seq=seq, hash=digest, at=at, key_id=signer.key_id, signature=signature
        )
    )
    return checkpoint


def load_checkpoints(conn: Connection, *, seq: int | None = None) -> list[Checkpoint]:
    query = select(
        _table.c.seq, _table.c.hash, _table.c.at, _table.c.key_id, _table.c.signature
    ).order_by(_table.c.seq)
    if seq is not None:
        query = query.where(_table.c.seq == seq)
    return [Checkpoint(int(r[0]), r[1], r[2], r[3], r[4]) for r in conn.execute(query)]
