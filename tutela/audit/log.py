"""The append-only, hash-chained audit log.

Clauses: secure.measures (every grant, denial, disclosure, export, deletion
and administrative action is recorded so that tampering shows), use.purposes
(each read records its purpose), disclose.jurisdictions (each disclosure is
recorded).

Appends serialise on the single `audit_head` row: the append transaction's
first statement updates it, which takes a row lock on PostgreSQL and the
database write lock on SQLite, so two processes can never read the same head
and fork the chain. Each append commits on its own, independent of the
caller's transaction, so that a rolled-back caller cannot erase the record of
what it read. The one exception is `append(..., conn=...)`: the purpose gate
opened inside a write (`tutela.access.access(..., within=session)`) appends
the record of a read on the writer's own connection, so the read's record
commits, or rolls back, with the write it served (on SQLite a second
connection would wait on the writer's lock; on PostgreSQL the head row stays
locked until the writer ends, which serialises appenders meanwhile). Every
`checkpoint_every` entries (and on demand) the head is signed with Ed25519
(`tutela.audit.checkpoints`); `seal_pending` signs the head of every log this
process appended to, which the `tutela` command does when it ends (and
`tutela serve` and `tutela worker` every `TUTELA_AUDIT_SEAL_SECONDS` while
they run, `tutela.audit.sealing`), so the entries of a finished command are
always covered. Each checkpoint, once committed, is also written to the
witness (`tutela.audit.witness`): by default a file in the data directory.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, Engine, Table, event, insert, select, update

from tutela.audit import witness as witnesses
from tutela.audit._encoding import (
    check_entry_fields,
    encode_details,
    encode_subjects,
    entry_hash,
    utc_stamp,
)
from tutela.audit.checkpoints import Checkpoint, load_checkpoints, write_checkpoint
from tutela.audit.signing_keys import (
    Signer,
    Verifier,
    load_or_create_signer,
    load_verifier,
)
from tutela.store.models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from tutela.audit.verify import VerifyReport
    from tutela.audit.witness import WitnessRecord
    from tutela.store import Store

log = logging.getLogger(__name__)

DEFAULT_CHECKPOINT_EVERY = 1000

_entries = cast(Table, AuditEntry.__table__)
_head = cast(Table, AuditHead.__table__)


@dataclass(frozen=True)
class AuditRecord:
    """One appended entry, as stored."""

    seq: int
    at: str
    actor: str
    action: str
    purpose: str | None
    subjects: str
    details: str
    prev_hash: str
    hash: str


class AuditLog:
    """The audit log of one store (engine plus the data directory's signing key)."""

    def __init__(
        self,
        engine: Engine,
        data_dir: Path,
        *,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        witness: str | None = None,
    ) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.checkpoint_every = checkpoint_every
        # `TUTELA_AUDIT_WITNESS` as given; the file (and URL) it resolves to.
        self.witness = witness
        self.witness_file, self.witness_url = witnesses.witness_targets(
            witness, data_dir
        )
        self._signer: Signer | None = None
        self._lock = threading.Lock()
        # Per thread: connections that appended in their caller's transaction
        # and have not ended it (they hold the head's lock; see `append`).
        self._holding = threading.local()
        self._watched: weakref.WeakSet[Connection] = weakref.WeakSet()

    @property
    def signer(self) -> Signer:
        with self._lock:
            if self._signer is None:
                self._signer = load_or_create_signer(self.data_dir)
            return self._signer

    def append(
        self,
        *,
        actor: str,
        action: str,
        purpose: str | None = None,
        subjects: Iterable[int] = (),
        details: Mapping[str, object] | None = None,
        conn: Connection | None = None,
    ) -> AuditRecord:
        """Append one entry in its own transaction and return it.

        With ``conn`` (a connection inside a transaction the caller owns), the
        entry is appended there instead and commits or rolls back with it. An
        append in a transaction of its own while this thread has such a
        transaction open would wait on that transaction's lock for ever
        (PostgreSQL) or until the busy timeout (SQLite): it raises
        `RuntimeError` at once instead.
        A checkpoint falling due is written on ``conn`` too; it reaches the
        witness when the command seals its log (`seal_pending`), since it is
        not the witness's to see before the caller commits.
        """
        check_entry_fields(actor, action, purpose)
        subjects_text = encode_subjects(subjects)
        details_text = encode_details(details)
        if conn is not None:
            record = self._append_checkpointed(
                conn, actor, action, purpose, subjects_text, details_text
            )[0]
            self._hold(conn)
            _mark_unsealed(self)
            log.debug("audit append seq=%d action=%s (in caller)", record.seq, action)
            return record
        if self._held():
            # This thread's own open write holds the head: waiting for it
            # would wait for ever (PostgreSQL) or until the busy timeout.
            raise RuntimeError(
                "an audit entry cannot be appended on its own while this "
                "thread's write that read through the gate is open; append "
                "after it ends, or on its connection"
            )
        with self.engine.begin() as own:
            record, signed = self._append_checkpointed(
                own, actor, action, purpose, subjects_text, details_text
            )
        _mark_unsealed(self)
        if signed is not None:
            try:
                self.send_to_witness([signed])
            except witnesses.WitnessUnreachable as exc:
                # The entry and its checkpoint are stored; the command's end
                # (`seal_pending`) tries the witness again and reports it.
                log.warning("audit.witness_unreachable %s", type(exc).__name__)
        log.debug("audit append seq=%d action=%s", record.seq, action)
        return record

    def _hold(self, conn: Connection) -> None:
        held: weakref.WeakSet[Connection] | None = getattr(self._holding, "conns", None)
        if held is None:
            held = self._holding.conns = weakref.WeakSet()
        held.add(conn)
        if conn in self._watched:
            return
        self._watched.add(conn)

        def _ended(*_args: object) -> None:
            held.discard(conn)

        # Once per connection (a CDR run's serves many transactions).
        event.listen(conn, "commit", _ended)
        event.listen(conn, "rollback", _ended)

    def _held(self) -> bool:
        held: Iterable[Connection] = getattr(self._holding, "conns", ())
        return any(c.in_transaction() and not c.closed for c in held)

    def _append_checkpointed(
        self,
        conn: Connection,
        actor: str,
        action: str,
        purpose: str | None,
        subjects: str,
        details: str,
    ) -> tuple[AuditRecord, Checkpoint | None]:
        record = self._append(conn, actor, action, purpose, subjects, details)
        signed = None
        if self.checkpoint_every and record.seq % self.checkpoint_every == 0:
            signed = write_checkpoint(conn, self.signer, record.seq, record.hash)
        return record, signed

    def _append(
        self,
        conn: Connection,
        actor: str,
        action: str,
        purpose: str | None,
        subjects: str,
        details: str,
    ) -> AuditRecord:
        # The first statement takes the lock that serialises every appender.
        seq, prev = conn.execute(
            update(_head)
            .where(_head.c.id == 1)
            .values(seq=_head.c.seq + 1)
            .returning(_head.c.seq, _head.c.hash)
        ).one()
        at = utc_stamp()
        digest = entry_hash(seq, at, actor, action, purpose, subjects, details, prev)
        conn.execute(
            insert(_entries).values(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                purpose=purpose,
                subjects=subjects,
                details=details,
                prev_hash=prev,
                hash=digest,
            )
        )
        conn.execute(update(_head).where(_head.c.id == 1).values(hash=digest))
        return AuditRecord(
            seq, at, actor, action, purpose, subjects, details, prev, digest
        )

    def checkpoint(self) -> Checkpoint | None:
        """Sign the current head now (unless it is signed already) and write it
        to the witness; None when the log is empty.

        Raises `tutela.audit.witness.WitnessUnreachable` when the witness
        cannot be written (the checkpoint is stored all the same).
        """
        # Before signing: an entry appended meanwhile is left for the next seal.
        with _unsealed_lock:
            _unsealed.discard(self)
        checkpoint = self.sign_head()
        if checkpoint is not None:
            self.send_to_witness([checkpoint])
        return checkpoint

    def send_to_witness(
        self, checkpoints: Iterable[Checkpoint], target: str | None = None
    ) -> int:
        """Write ``checkpoints`` (committed ones) to the witness; how many records.

        By default to this log's witness file (a record for each checkpoint
        past its last head), then to its URL, if one is set. With ``target``
        (``tutela audit export-checkpoints``): to that file, or every
        checkpoint to that URL.
        """
        fingerprint = self.signer.verifier().fingerprint
        if target is not None and witnesses.is_url(target):
            return witnesses.post_records(
                target, (witnesses.legacy_record(c, fingerprint) for c in checkpoints)
            )
        build = witnesses.checkpoint_records(self.signer, fingerprint, checkpoints)
        if target is not None:
            return len(self._append_witness(Path(target), build))
        return len(self.write_witness(build))

    def write_witness(self, build: witnesses.Build) -> list[WitnessRecord]:
        """Append the records ``build`` makes to this log's witness (and URL)."""
        written = self._append_witness(self.witness_file, build)
        self._post(written)
        return written

    def _append_witness(
        self, path: Path, build: witnesses.Build
    ) -> list[WitnessRecord]:
        default = path == self.data_dir / witnesses.DEFAULT_WITNESS
        written = witnesses.append_records(path, build, default=default)
        if written:
            log.info("audit.witnessed records=%d", len(written))
        return written

    def _post(self, records: list[WitnessRecord]) -> None:
        if self.witness_url and records:
            witnesses.post_records(self.witness_url, (r.as_dict() for r in records))

    def checkpoints(self) -> list[Checkpoint]:
        """Every stored checkpoint, in order."""
        with self.engine.connect() as conn:
            return load_checkpoints(conn)

    def sign_head(self) -> Checkpoint | None:
        """Sign the current head in the database only (no witness); None if empty."""
        with self.engine.begin() as conn:
            seq, digest = conn.execute(
                update(_head)
                .where(_head.c.id == 1)
                .values(seq=_head.c.seq)
                .returning(_head.c.seq, _head.c.hash)
            ).one()
            if seq == 0:
                return None
            return write_checkpoint(conn, self.signer, seq, digest)

    def verify(
        self,
        *,
        public_key: Verifier | None = None,
        fingerprint: str | None = None,
        witness: Path | None = None,
        use_witness: bool = True,
    ) -> VerifyReport:
        """Check the whole chain, every checkpoint and the witness (`tutela.audit.verify`).

        ``public_key`` (from outside the data directory) replaces the data
        directory's key; ``fingerprint`` pins the data directory's key;
        ``witness`` is a witness file to check instead of this log's own
        (``use_witness=False``: none).
        """
        from tutela.audit.verify import verify_chain

        # Read before the database (see `tutela.audit.verify`).
        records = (
            witnesses.read_witness(witness or self.witness_file)
            if use_witness
            else None
        )
        verifier = public_key or load_verifier(self.data_dir)
        return verify_chain(
            self.engine,
            verifier,
            pinned=public_key is not None,
            expected_fingerprint=fingerprint,
            witness=records,
        )

    def head(self) -> tuple[int, str]:
        with self.engine.connect() as conn:
            seq, digest = conn.execute(
                select(_head.c.seq, _head.c.hash).where(_head.c.id == 1)
            ).one()
        return int(seq), str(digest)


_logs: dict[int, tuple[Engine, AuditLog]] = {}
_logs_lock = threading.Lock()
# Logs appended to since their last `checkpoint` (weakly: a log nobody holds
# any more is not kept alive for this). Request threads add to it while the
# sealing thread of `tutela serve` takes from it: hence the lock.
_unsealed: weakref.WeakSet[AuditLog] = weakref.WeakSet()
_unsealed_lock = threading.Lock()


def _mark_unsealed(log_: AuditLog) -> None:
    with _unsealed_lock:
        _unsealed.add(log_)


def seal_pending(
    *, dispose: bool = True
) -> list[tuple[AuditLog, Checkpoint | None, str | None]]:
    """Checkpoint (and witness) every log this process appended to since its
    last checkpoint: (log, checkpoint, why the witness failed or None).

    ``dispose``: close the engines' connections afterwards (the command has
    closed its stores already); a running server's sealing keeps them.
    """
    with _unsealed_lock:
        pending_logs = list(_unsealed)
    sealed: list[tuple[AuditLog, Checkpoint | None, str | None]] = []
    for pending in pending_logs:
        try:
            sealed.append((pending, pending.checkpoint(), None))
        except witnesses.WitnessUnreachable as exc:
            sealed.append((pending, None, exc.message))
            _mark_unsealed(pending)  # the next seal tries the witness again
        except Exception as exc:  # noqa: BLE001 - reported; the command's outcome stands
            log.warning("audit.seal_failed %s", type(exc).__name__)
            sealed.append((pending, None, f"not signed ({type(exc).__name__})"))
            _mark_unsealed(pending)
        finally:
            if dispose:
                pending.engine.dispose()
    return sealed


def forget_pending() -> None:
    """Start a new command: logs appended to before it are not its to seal."""
    with _unsealed_lock:
        _unsealed.clear()


def audit_log(store: Store) -> AuditLog:
    """The (shared) audit log of a store."""
    key = id(store.engine)
    with _logs_lock:
        found = _logs.get(key)
        if found is None or found[0] is not store.engine:
            found = (
                store.engine,
                AuditLog(store.engine, store.data_dir, witness=store.audit_witness),
            )
            _logs[key] = found
            if len(_logs) > 64:  # tests open many stores; keep the map small
                _logs.pop(next(iter(_logs)))
        return found[1]


def record(
    store: Store,
    *,
    actor: str,
    action: str,
    purpose: str | None = None,
    subjects: Iterable[int] = (),
    details: Mapping[str, object] | None = None,
) -> AuditRecord:
    """Append one entry to the store's audit log (for exports, deletions, admin)."""
    return audit_log(store).append(
        actor=actor, action=action, purpose=purpose, subjects=subjects, details=details
    )
