"""Re-anchor the witness after a backup of the database was restored.

Clause: secure.measures. A restored backup is behind the witness, exactly as
a database whose newest entries were cut off is, and ``tutela audit verify``
fails on it. The one way to make it pass again is this: a signed-in privacy
officer (``tutela audit reanchor --reason ...``) appends an audit entry
(``audit.reanchored``: the reason, the head the witness saw, the last entry
still held) and then a *re-anchor record* to the witness, signed by the
audit key, naming the new head (seq, hash), the old witnessed head, the last
witnessed entry the database still holds (``kept_seq``), the officer, the
reason and the entry. Verification then checks the restored database against
the records up to ``kept_seq`` and the new head, reports every re-anchor, and
still fails for a database rolled back further than the re-anchor.

It refuses when there is nothing to re-anchor (the database holds every
entry the witness saw), when the database's own chain is broken (restore a
consistent backup first), and when the witness file fails its own checks (an
edited witness cannot vouch for anything: move it aside; the next checkpoint
starts a new one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from tutela.audit._encoding import encode_details, utc_stamp
from tutela.audit.log import AuditLog
from tutela.audit.signing_keys import load_verifier
from tutela.audit.timeline import Anchor, WitnessTampered, read_timeline
from tutela.audit.witness import REANCHOR, WitnessRecord, read_witness, sign_record
from tutela.errors import Conflict, InvalidInput
from tutela.store.models import AuditEntry

MAX_REASON = 300
ACTION = "audit.reanchored"


@dataclass(frozen=True)
class Reanchored:
    """What a re-anchor did: its witness record and audit entry."""

    record: WitnessRecord
    entry: int
    witnessed_seq: int
    kept_seq: int
    dropped: int

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.record.n,
            "new_seq": self.record.seq,
            "new_hash": self.record.hash,
            "witnessed_seq": self.witnessed_seq,
            "kept_seq": self.kept_seq,
            "dropped_records": self.dropped,
            "entry": self.entry,
            "officer": self.record.officer,
        }


def check_reason(reason: str) -> str:
    """The reason, stripped; `InvalidInput` unless it is short, plain text.

    It is kept in the audit log and in the witness, which hold no personal
    data: the same rules as audit details (no ``@``, no run of seven digits,
    no control characters).
    """
    text = reason.strip()
    try:
        encode_details({"reason": text})
    except InvalidInput:
        text = ""
    if not text or len(text) > MAX_REASON:
        raise InvalidInput(
            f"give the reason in words (1 to {MAX_REASON} characters, no e-mail "
            "addresses, long numbers or control characters): it is kept in the "
            "audit log and the witness",
            field="reason",
        )
    return text


def reanchor(log: AuditLog, *, actor: str, reason: str) -> Reanchored:
    """Re-anchor ``log``'s witness to the database as it is now (see above).

    ``actor`` is the signed-in privacy officer (``staff:<id>``). Raises
    `Conflict` when refused, `InvalidInput` for a bad reason.
    """
    reason = check_reason(reason)
    # The witness first, then the database (as verification reads them).
    witness = read_witness(log.witness_file)
    try:
        timeline = read_timeline(witness, load_verifier(log.data_dir))
    except WitnessTampered as exc:
        raise Conflict(
            f"the witness file fails its own checks ({exc.problem}); re-anchoring "
            "cannot vouch for an edited witness: move the file aside (the next "
            "checkpoint starts a new one) and keep it as evidence"
        ) from None
    head = timeline.head
    if head is None:
        raise Conflict("the witness has no records yet: there is nothing to re-anchor")
    chain = log.verify(use_witness=False)
    if not chain.ok:
        raise Conflict(
            f"the database's own audit chain is broken (entry {chain.first_bad_seq}: "
            f"{chain.problem}); restore a consistent backup before re-anchoring"
        )
    kept = _kept(log.engine, timeline.anchors)
    if kept == head.seq:
        raise Conflict(
            f"the database holds every entry the witness saw (up to entry "
            f"{head.seq}): there is nothing to re-anchor"
        )
    dropped = sum(1 for a in timeline.anchors if a.seq > kept)
    entry = log.append(
        actor=actor,
        action=ACTION,
        details={
            "reason": reason,
            "witnessed_seq": head.seq,
            "kept_seq": kept,
            "dropped_records": dropped,
        },
    )
    checkpoint = log.sign_head()
    assert checkpoint is not None  # the entry above is in the chain
    fingerprint = log.signer.verifier().fingerprint

    def build(last_n: int, _last_seq: int) -> list[WitnessRecord]:
        record = WitnessRecord(
            REANCHOR,
            checkpoint.seq,
            checkpoint.hash,
            utc_stamp(),
            log.signer.key_id,
            fingerprint,
            n=last_n + 1,
            old_seq=head.seq,
            old_hash=head.hash,
            kept_seq=kept,
            officer=actor,
            reason=reason,
            entry=entry.seq,
        )
        return [sign_record(log.signer, record)]

    (written,) = log.write_witness(build)
    return Reanchored(written, entry.seq, head.seq, kept, dropped)


def _kept(engine: Engine, anchors: Iterable[Anchor]) -> int:
    """The last anchored entry up to which the database agrees with the witness."""
    ordered = sorted(anchors, key=lambda a: a.seq)
    wanted = [a.seq for a in ordered]
    held: dict[int, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            held.update(
                (int(seq), str(digest))
                for seq, digest in conn.execute(
                    select(AuditEntry.seq, AuditEntry.hash).where(
                        AuditEntry.seq.in_(chunk)
                    )
                )
            )
    kept = 0
    for anchor in ordered:
        if held.get(anchor.seq) != anchor.hash:
            break
        kept = anchor.seq
    return kept


__all__ = ["ACTION", "Reanchored", "check_reason", "reanchor"]
