"""Verify the audit chain and its signed checkpoints; name the first bad entry.

Clause: secure.measures. Checks, in order of sequence number:
- sequence numbers run 1, 2, 3, ... with no gap (a deleted entry shows);
- each entry's `prev_hash` is the hash of the entry before (reordering and
  insertion show);
- each entry's hash matches its contents (an edit shows);
- each checkpoint's signature is valid under the audit public key and its hash
  is the hash of the entry it covers (a rebuilt chain shows);
- the head row agrees with the last entry (entries cut off the end show);
- with a pinned key (``--public-key`` or ``--fingerprint``): the key is the
  pinned one (a key swapped in the data directory, and a chain re-signed with
  it, shows), and a non-empty chain has at least one checkpoint;
- the witness (by default ``audit/witness.jsonl`` in the data directory, or
  ``--witness FILE``; `tutela.audit.timeline`): the file itself is intact
  (numbered, in order, signed), every entry it anchors is still there with
  its hash unchanged (a rewrite made after the checkpoints in the database
  were deleted or re-signed shows), and the database is not behind it (the
  newest entries cut off with their checkpoints and the head row rolled back
  show, with the database's head and the witness's).

The witness is read before the database: every head it names was committed
before it was written, so a checkpoint made while verify runs cannot look
like a database behind its witness.

Entries after the last checkpoint are signed by nothing yet; the report
counts them (``unsigned_tail``). Every `tutela` command ends with a
checkpoint, so outside a running command the tail is empty.

Rows are streamed as plain tuples from the driver's cursor (server-side on
PostgreSQL) and hashed with hashlib: no ORM objects, so verification runs at hundreds of thousands of entries per second.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from tutela.audit._encoding import ENTRY_FORMAT, GENESIS
from tutela.audit.checkpoints import Checkpoint, load_checkpoints
from tutela.audit.signing_keys import Verifier
from tutela.audit.timeline import (
    Anchor,
    Timeline,
    WitnessTampered,
    read_timeline,
    reanchor_history,
)
from tutela.audit.witness import WitnessFile
from tutela.store.models import AuditHead

_ENTRIES_SQL = (
    "SELECT seq, at, actor, action, purpose, subjects, details, prev_hash, hash "
    "FROM audit_entries ORDER BY seq"
)
_STREAM_ROWS = 20_000


@dataclass
class VerifyReport:
    ok: bool
    entries: int
    checkpoints: int
    head_seq: int
    first_bad_seq: int | None = None
    problem: str | None = None
    seconds: float = 0.0
    fingerprint: str | None = None
    pinned: bool = False
    witnessed: int = 0
    unsigned_tail: int = 0
    witness: str | None = None
    witness_head_seq: int | None = None
    witness_line: int | None = None
    reanchors: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Bad(Exception):
    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(problem)
        self.seq = seq
        self.problem = problem


def verify_chain(
    engine: Engine,
    verifier: Verifier | None,
    *,
    pinned: bool = False,
    expected_fingerprint: str | None = None,
    witness: WitnessFile | None = None,
) -> VerifyReport:
    """Check every entry and checkpoint; stop at the first problem.

    ``pinned``: ``verifier`` was given from outside the data directory.
    ``expected_fingerprint``: the key must have this fingerprint.
    ``witness``: the records of the witness, read before this is called.
    """
    started = time.perf_counter()
    report = VerifyReport(
        ok=True,
        entries=0,
        checkpoints=0,
        head_seq=0,
        fingerprint=None if verifier is None else verifier.fingerprint,
        pinned=pinned or expected_fingerprint is not None,
        witnessed=0 if witness is None else len(witness.records),
        witness=None if witness is None else str(witness.path),
    )
    with engine.connect() as conn:
        checkpoints = {c.seq: c for c in load_checkpoints(conn)}
        head_seq, head_hash = conn.execute(
            select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)
        ).one()
        report.checkpoints = len(checkpoints)
        report.head_seq = int(head_seq)
        try:
            _check_key(verifier, expected_fingerprint)
            timeline = _timeline(witness, verifier, report)
            _check_signatures(checkpoints, verifier)
            expected = _expected_hashes(checkpoints, timeline)
            if report.pinned and int(head_seq) and not checkpoints:
                raise _Bad(
                    1,
                    "the log has entries but no signed checkpoint: nothing ties "
                    "it to the pinned key (checkpoints were deleted?)",
                )
            last_seq, last_hash = _walk(_batches(conn), expected, report)
            _check_witness_head(last_seq, timeline.head)
            _check_end(last_seq, last_hash, int(head_seq), head_hash, expected)
            report.unsigned_tail = last_seq - max(checkpoints, default=0)
        except _Bad as bad:
            report.ok = False
            report.first_bad_seq = bad.seq
            report.problem = bad.problem
        except WitnessTampered as tampered:
            report.ok = False
            report.witness_line = tampered.line
            report.problem = tampered.problem
    report.seconds = time.perf_counter() - started
    return report


def _timeline(
    witness: WitnessFile | None, verifier: Verifier | None, report: VerifyReport
) -> Timeline:
    if witness is None:
        return Timeline()
    timeline = read_timeline(witness, verifier)
    head = timeline.head
    report.witness_head_seq = None if head is None else head.seq
    report.reanchors = reanchor_history(timeline)
    return timeline


def _check_witness_head(last_seq: int, head: Anchor | None) -> None:
    """The database must not be behind its witness."""
    if head is None or head.seq <= last_seq:
        return
    raise _Bad(
        last_seq + 1,
        f"the database's head is entry {last_seq}, the witness's is entry "
        f"{head.seq} ({head.source}, {head.at}): entries {last_seq + 1} to "
        f"{head.seq} were cut off the end of the log (if an older backup was "
        "restored, re-anchor the witness with `tutela audit reanchor`)",
    )


def _check_key(verifier: Verifier | None, expected_fingerprint: str | None) -> None:
    if expected_fingerprint is None:
        return
    if verifier is None:
        raise _Bad(1, "the audit public key is missing from the data directory")
    if verifier.fingerprint != expected_fingerprint:
        raise _Bad(
            1,
            f"the audit key in the data directory ({verifier.fingerprint}) is not "
            f"the pinned key ({expected_fingerprint}): it was replaced",
        )


def _expected_hashes(
    checkpoints: dict[int, Checkpoint], timeline: Timeline
) -> dict[int, tuple[str, str]]:
    """seq -> (hash, what vouches for it) from signed checkpoints and the witness."""
    expected = {
        seq: (c.hash, f"signed checkpoint {seq}") for seq, c in checkpoints.items()
    }
    for anchor in timeline.anchors:
        known = expected.get(anchor.seq)
        if known is not None and known[0] != anchor.hash:
            raise _Bad(
                anchor.seq,
                f"{known[1]} differs from {anchor.source} at entry {anchor.seq}: the "
                "chain was rewritten and signed again",
            )
        label = anchor.source if known is None else f"{known[1]} and {anchor.source}"
        expected[anchor.seq] = (anchor.hash, label)
    return expected


def _check_signatures(
    checkpoints: dict[int, Checkpoint], verifier: Verifier | None
) -> None:
    for seq in sorted(checkpoints):
        checkpoint = checkpoints[seq]
        if verifier is None:
            raise _Bad(seq, "checkpoints exist but the audit public key is missing")
        if not checkpoint.valid_under(verifier):
            raise _Bad(seq, f"the signature of checkpoint {seq} is not valid")


def _batches(conn: Connection) -> Iterator[Sequence[Any]]:
    """Entries in seq order, in batches, streamed (a server-side cursor on PostgreSQL)."""
    options = {"stream_results": True, "yield_per": _STREAM_ROWS}
    yield from conn.exec_driver_sql(
        _ENTRIES_SQL, execution_options=options
    ).partitions()


def _walk(
    batches: Iterator[Sequence[Any]],
    checkpoints: dict[int, tuple[str, str]],
    report: VerifyReport,
) -> tuple[int, str]:
    # Hot loop: local names, one string format and one SHA-256 per entry.
    sha256 = hashlib.sha256
    fmt = ENTRY_FORMAT
    expected = 1
    prev = GENESIS
    count = 0
    for rows in batches:
        for seq, at, actor, action, purpose, subjects, details, prev_hash, h in rows:
            if seq != expected:
                raise _Bad(expected, f"entry {expected} is missing (next is {seq})")
            if prev_hash != prev:
                raise _Bad(seq, f"entry {seq} does not follow entry {seq - 1}")
            tagged = "~" if purpose is None else "'" + purpose
            body = fmt % (seq, at, actor, action, tagged, subjects, details, prev)
            if sha256(body.encode("utf-8")).hexdigest() != h:
                raise _Bad(seq, f"entry {seq} was altered (hash mismatch)")
            if seq in checkpoints and checkpoints[seq][0] != h:
                raise _Bad(
                    seq,
                    f"entry {seq} differs from {checkpoints[seq][1]}: "
                    "the chain was rebuilt at or before it",
                )
            prev = h
            expected += 1
            count += 1
    report.entries = count
    return expected - 1, prev


def _check_end(
    last_seq: int,
    last_hash: str,
    head_seq: int,
    head_hash: str,
    checkpoints: dict[int, tuple[str, str]],
) -> None:
    beyond = [s for s in checkpoints if s > last_seq]
    if beyond:
        raise _Bad(
            last_seq + 1,
            f"{checkpoints[min(beyond)][1]} covers entries that are "
            f"gone (the chain ends at {last_seq})",
        )
    if head_seq != last_seq or head_hash != last_hash:
        raise _Bad(
            min(head_seq, last_seq) + 1,
            f"the chain ends at entry {last_seq} but the head records entry "
            f"{head_seq}: entries were removed from or added to the end",
        )
