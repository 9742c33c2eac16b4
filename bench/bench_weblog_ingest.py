"""Benchmark: web-log lines per second ingested end to end into SQLite vs a plain parse.

Policy: collect.web_use.web_activity and scope.web_unlinked. Measures
`tutela.collect.weblog.ingest.ingest_weblog` (parse, validate, scrub, hash,
truncate, batch INSERT .. ON CONFLICT DO NOTHING into a fresh SQLite store)
and a re-run of the same file (every line a duplicate), against a plain
Python regex parse of the same file in the same run. Prints one JSON
document. Not a test: nothing here asserts a time.

    .venv/bin/python bench/bench_weblog_ingest.py [--lines 100000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_weblog import bare_parse, generate  # noqa: E402

from tutela.collect.quarantine import Quarantine, quarantine_dir  # noqa: E402
from tutela.collect.weblog.ingest import ingest_weblog, salts_for  # noqa: E402
from tutela.config import Settings  # noqa: E402
from tutela.store.db import Store, open_store  # noqa: E402


def ingest_once(store: Store, log: Path) -> tuple[int, float]:
    start = time.perf_counter()
    with (
        Quarantine(quarantine_dir(store.data_dir), source="weblog") as quarantine,
        store.session() as session,
    ):
        summary = ingest_weblog(
            log,
            session=session,
            salts=salts_for(store.data_dir),
            site="www.example.com",
            quarantine=quarantine,
        )
    return summary.stored, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="lines to generate")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        generate(log, args.lines)
        start = time.perf_counter()
        matched = bare_parse(log)
        bare_s = time.perf_counter() - start
        store = open_store(Settings(data=Path(tmp) / "data"))
        try:
            stored, ingest_s = ingest_once(store, log)
            restored, again_s = ingest_once(store, log)
        finally:
            store.close()
    result = {
        "lines": args.lines,
        "bare_regex_matched": matched,
        "bare_regex_lines_per_s": round(args.lines / bare_s),
        "ingest_sqlite_stored": stored,
        "ingest_sqlite_lines_per_s": round(args.lines / ingest_s),
        "reingest_sqlite_stored": restored,
        "reingest_sqlite_lines_per_s": round(args.lines / again_s),
        "ratio_ingest_to_bare": round(bare_s / ingest_s, 4),
    }
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
