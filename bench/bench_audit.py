"""Benchmark the audit log: append rate, checkpoint rate and verification rate.

Clause: secure.measures. Prints one JSON document. Appends are real (one
transaction each, on a temporary SQLite store, with the default witness file
in its data directory); checkpoints are real too (an entry, then the head
signed in the database and appended, fsync'd, to the witness); for the verify
rate a valid chain of N entries is bulk-loaded, then verified end to end,
witness included (target: at least 200,000 entries per second).

    .venv/bin/python bench/bench_audit.py [N]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, update

from tutela.audit import audit_log, entry_hash
from tutela.audit._encoding import utc_stamp
from tutela.config import Settings
from tutela.store import open_store
from tutela.store.models import AuditEntry, AuditHead

APPENDS = 1_000
CHECKPOINTS = 200


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Settings(data=Path(tmp)))
        log = audit_log(store)
        started = time.perf_counter()
        for i in range(APPENDS):
            log.append(
                actor="staff:1",
                action="use.grant",
                purpose="collect_payment",
                subjects=[i],
                details={"categories": ["payment"], "rows": 1},
            )
        append_s = time.perf_counter() - started
        started = time.perf_counter()
        for i in range(CHECKPOINTS):
            log.append(actor="staff:1", action="admin.tick", subjects=[i])
            log.checkpoint()
        checkpoint_s = time.perf_counter() - started
        seq, prev = log.head()
        rows = []
        at = utc_stamp()
        for _ in range(entries):
            seq += 1
            digest = entry_hash(seq, at, "staff:1", "use.grant", "collect_payment",
                                "[1]", '{"rows":1}', prev)  # fmt: skip
            rows.append(
                {"seq": seq, "at": at, "actor": "staff:1", "action": "use.grant",
                 "purpose": "collect_payment", "subjects": "[1]",
                 "details": '{"rows":1}', "prev_hash": prev, "hash": digest}
            )  # fmt: skip
            prev = digest
        with store.engine.begin() as conn:
            conn.execute(insert(AuditEntry), rows)
            conn.execute(update(AuditHead).values(seq=seq, hash=prev))
        log.checkpoint()
        report = log.verify()
        store.close()
    assert report.ok, report.problem
    print(
        json.dumps(
            {
                "append": {
                    "entries": APPENDS,
                    "per_second": round(APPENDS / append_s),
                    "transaction": "one per entry",
                },
                "checkpoint": {
                    "rounds": CHECKPOINTS,
                    "per_second": round(CHECKPOINTS / checkpoint_s),
                    "round": "one append, the head signed, one fsync'd witness append",
                    "witness_records": report.witnessed,
                },
                "verify": {
                    "entries": report.entries,
                    "seconds": round(report.seconds, 3),
                    "per_second": round(report.entries / report.seconds),
                    "target_per_second": 200_000,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
