"""Read a witness file as a timeline: which heads the audit chain must still hold.

Clause: secure.measures. The records of a witness (`tutela.audit.witness`)
are checked before they are trusted, in file order:

- every line is a record, signed by the audit key;
- numbered records run 1, 2, 3, ... (a record removed from the middle, or
  records put out of order or repeated, show);
- within a timeline, each checkpoint record names a later entry than the
  record before it.

Each checkpoint record is an *anchor*: the chain must still hold that entry
with that hash. A re-anchor record (`tutela.audit.reanchor`) starts a new
timeline after a backup was restored: anchors past its ``kept_seq`` no longer
hold (that tail was lost with the restore), and its new head is an anchor.
So a database restored further back than the re-anchor still fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutela.audit.signing_keys import Verifier
from tutela.audit.witness import REANCHOR, WitnessFile, WitnessRecord


@dataclass(frozen=True)
class Anchor:
    """An entry the chain must still hold, with the hash the witness saw."""

    seq: int
    hash: str
    source: str
    at: str


@dataclass
class Timeline:
    anchors: list[Anchor] = field(default_factory=list)
    reanchors: list[WitnessRecord] = field(default_factory=list)
    records: int = 0

    @property
    def head(self) -> Anchor | None:
        """The furthest entry the witness saw (in the current timeline)."""
        return max(self.anchors, key=lambda a: a.seq, default=None)


class WitnessTampered(Exception):
    """The witness file itself fails a check; ``line`` names where."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def read_timeline(witness: WitnessFile, verifier: Verifier | None) -> Timeline:
    """The anchors and re-anchors of ``witness``; `WitnessTampered` if edited."""
    if witness.malformed:
        line = witness.malformed[0]
        raise WitnessTampered(
            line,
            f"line {line} of the witness file is not a witness record: the file "
            "was edited (or a write to it was cut short)",
        )
    timeline = Timeline(records=len(witness.records))
    if witness.records and verifier is None:
        raise WitnessTampered(
            witness.records[0].line,
            "the witness has records but the audit public key is missing from the "
            "data directory",
        )
    numbers = {r.n for r in witness.records if r.n is not None}
    previous: WitnessRecord | None = None  # the last numbered record
    for record in witness.records:
        assert verifier is not None
        if not record.signed_by(verifier):
            raise WitnessTampered(
                record.line,
                f"{record.named()} is not signed by the audit key "
                f"({verifier.fingerprint}): it was altered or forged",
            )
        if record.n is not None:
            _check_order(record, previous, numbers)
            previous = record
        if record.kind == REANCHOR:
            kept = record.kept_seq or 0
            timeline.anchors = [a for a in timeline.anchors if a.seq <= kept]
            timeline.reanchors.append(record)
        timeline.anchors.append(
            Anchor(record.seq, record.hash, record.named(), record.at)
        )
    timeline.anchors.sort(key=lambda a: a.seq)
    return timeline


def _check_order(
    record: WitnessRecord, previous: WitnessRecord | None, numbers: set[int]
) -> None:
    assert record.n is not None
    before = 0 if previous is None else previous.n or 0
    if record.n > before + 1 and before + 1 in numbers:
        raise WitnessTampered(
            record.line,
            f"{record.named()} comes before record {before + 1}: the witness's "
            "records are out of order",
        )
    if record.n > before + 1:
        missing = (
            f"record {before + 1}"
            if record.n == before + 2
            else f"records {before + 1} to {record.n - 1}"
        )
        raise WitnessTampered(
            record.line,
            f"witness {missing} missing: line {record.line} holds record "
            f"{record.n} after record {before}; records were removed from the witness",
        )
    if record.n <= before:
        raise WitnessTampered(
            record.line,
            f"{record.named()} comes after record {before}: the witness's records "
            "are out of order or repeated",
        )
    if record.kind != REANCHOR and previous is not None and record.seq <= previous.seq:
        raise WitnessTampered(
            record.line,
            f"{record.named()} names entry {record.seq}, not later than entry "
            f"{previous.seq} of the record before it: the records are out of order",
        )
    if record.kind == REANCHOR and (record.kept_seq or 0) >= record.seq:
        raise WitnessTampered(
            record.line,
            f"{record.named()} keeps entries up to {record.kept_seq}, not before its "
            f"new head {record.seq}",
        )


def reanchor_history(timeline: Timeline) -> list[dict[str, object]]:
    """What verify reports of each re-anchor, oldest first."""
    return [
        {
            "n": r.n,
            "at": r.at,
            "officer": r.officer,
            "reason": r.reason,
            "witnessed_seq": r.old_seq,
            "kept_seq": r.kept_seq,
            "new_seq": r.seq,
            "entry": r.entry,
        }
        for r in timeline.reanchors
    ]


__all__ = [
    "Anchor",
    "Timeline",
    "WitnessTampered",
    "read_timeline",
    "reanchor_history",
]
