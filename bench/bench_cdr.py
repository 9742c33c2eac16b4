"""Benchmark: CDR ingest rate against the database's own bulk loader, same run.

Policy clause collect.service_use.call_records ("every phone call"): every
row is parsed, validated, normalised to E.164, deduplicated and stored. This
measures that against the raw loader of the same file into a table with the
same number of indexes: ``sqlite3 .import`` for SQLite and ``COPY`` for
PostgreSQL. Peak memory (max RSS of a fresh worker process) is measured for
a small and a big file, to show it stays flat as the file grows. Prints one
JSON document; nothing here asserts a time.

    .venv/bin/python bench/bench_cdr.py                     # 1M vs 4M rows
    .venv/bin/python bench/bench_cdr.py --rows 200000 --big-rows 800000
    TUTELA_BENCH_CDR_ROWS=200000 TUTELA_BENCH_CDR_BIG_ROWS=800000 make bench

PostgreSQL runs on ``--rows`` only; ``--no-postgres`` skips it. The parser's
own rate is measured on the ``--rows`` file only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 0.5
sys.path.insert(0, str(REPO))

RAW_TABLE = """
CREATE TABLE cdr (accountcode TEXT, src TEXT, dst TEXT, dcontext TEXT, clid TEXT,
  channel TEXT, dstchannel TEXT, lastapp TEXT, lastdata TEXT, start_ TEXT,
  answer TEXT, end_ TEXT, duration BIGINT, billsec BIGINT, disposition TEXT,
  amaflags TEXT, uniqueid TEXT, userfield TEXT, peeraccount TEXT, linkedid TEXT,
  sequence BIGINT);
CREATE UNIQUE INDEX cdr_key ON cdr (uniqueid, sequence);
CREATE INDEX cdr_account ON cdr (accountcode);
CREATE INDEX cdr_account_start ON cdr (accountcode, start_);
CREATE INDEX cdr_account_call ON cdr (accountcode, linkedid);
CREATE INDEX cdr_src ON cdr (src);
CREATE INDEX cdr_dst ON cdr (dst);
"""


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A cdr_csv Master.csv (21 columns) with fictional numbers (555-01XX style)."""
    rng = random.Random(seed)
    numbers = [f"+1{rng.randrange(200, 999)}555{n:04d}" for n in range(5000)]
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            src = rng.choice(numbers)
            ext = str(100 + rng.randrange(200))
            t = 1_700_000_000 + i * 7
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
            answer = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t + 3))
            end = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t + 63))
            linked = f"{t}.{i // 2 * 2}"
            out.write(
                f'"BENCH","{src}","{ext}","from-external","""Caller {i % 97}"" '
                f'<{src}>","PJSIP/trunk-{i:08x}","PJSIP/{ext}-{i:08x}","Dial",'
                f'"PJSIP/{ext},30","{stamp}","{answer}","{end}",63,60,"ANSWERED",'
                f'"DOCUMENTATION","{t}.{i}","","","{linked}",{i}\n'
            )


def worker(args: argparse.Namespace) -> dict[str, Any]:
    """Ingest one file into a fresh store (in this process) and report."""
    from tutela.collect import cdr
    from tutela.collect.accounts.contacts import open_account
    from tutela.collect.cdr.ingest import ingest_cdr
    from tutela.config import Settings
    from tutela.store import open_store

    settings = Settings(data=Path(args.data), database_url=args.url or None)
    store = open_store(settings)
    with store.session() as session:
        open_account(session, organization="Bench Ltd", ref="BENCH")
    started = time.perf_counter()
    summary = ingest_cdr(
        store, Path(args.file), format="asterisk-csv", workers=args.workers
    )
    seconds = time.perf_counter() - started
    store.close()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The parsing child of a pipelined ingest (0 when there was none).
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report: dict[str, Any] = {
        "rows": summary.read,
        "stored": summary.stored,
        "seconds": round(seconds, 3),
        "rows_per_s": round(summary.read / seconds),
        "max_rss_mib": round(max_rss, 1),
        "child_max_rss_mib": round(child_rss, 1),
    }
    if args.parse_alone:
        # The parser alone (to CdrRecord), for comparison; after the RSS.
        started = time.perf_counter()
        parsed = sum(
            1
            for _ in cdr.parse(
                Path(args.file), format="asterisk-csv", source_name=args.file
            )
        )
        report["parse_rows_per_s"] = round(parsed / (time.perf_counter() - started))
    return report


def run_worker(
    file: Path,
    data: Path,
    url: str | None = None,
    workers: int | None = None,
    parse_alone: bool = False,
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        "--file",
        str(file),
        "--data",
        str(data),
    ]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    if parse_alone:
        cmd += ["--parse-alone"]
    if url:
        cmd += ["--url", url]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def sqlite_import(file: Path, db: Path) -> float:
    subprocess.run(["sqlite3", str(db)], input=RAW_TABLE, text=True, check=True)
    started = time.perf_counter()
    subprocess.run(["sqlite3", str(db), ".mode csv", f".import {file} cdr"], check=True)
    return time.perf_counter() - started


def postgres_copy(file: Path, url: str) -> float:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS cdr")
        for statement in RAW_TABLE.split(";"):
            if statement.strip():
                conn.execute(statement)
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy("COPY cdr FROM STDIN WITH (FORMAT csv)") as copy:
                with file.open("rb") as fh:
                    while block := fh.read(1 << 20):
                        copy.write(block)
        return time.perf_counter() - started


def _compare(rows: int, ingest: dict[str, Any], raw_seconds: float) -> dict[str, Any]:
    raw_rate = rows / raw_seconds
    ratio = ingest["rows_per_s"] / raw_rate
    return {
        "ingest": ingest,
        "raw_seconds": round(raw_seconds, 3),
        "raw_rows_per_s": round(raw_rate),
        "ratio": round(ratio, 3),
        "target_met": ratio >= TARGET_RATIO,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument(
        "--rows", type=int, default=int(env("TUTELA_BENCH_CDR_ROWS", "1000000"))
    )
    parser.add_argument(
        "--big-rows", type=int, default=int(env("TUTELA_BENCH_CDR_BIG_ROWS", "4000000"))
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="ingest_cdr's workers: 1 = single process, 2 = parse in a child "
        "process (default: ingest_cdr's own choice)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--parse-alone", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="tutela-bench-cdr-"))
    report: dict[str, Any] = {
        "benchmark": "cdr_ingest",
        "target_ratio": TARGET_RATIO,
        "workers": args.workers,
    }
    try:
        small, big = tmp / "small.csv", tmp / "big.csv"
        generate(small, args.rows)
        generate(big, args.big_rows)
        report["sqlite"] = _compare(
            args.rows,
            run_worker(small, tmp / "s1", workers=args.workers, parse_alone=True),
            sqlite_import(small, tmp / "raw1.db"),
        )
        report["sqlite_big"] = _compare(
            args.big_rows,
            run_worker(big, tmp / "s2", workers=args.workers),
            sqlite_import(big, tmp / "raw2.db"),
        )
        report["peak_memory_mib"] = {
            str(args.rows): report["sqlite"]["ingest"]["max_rss_mib"],
            str(args.big_rows): report["sqlite_big"]["ingest"]["max_rss_mib"],
        }
        if not args.no_postgres:
            from tests.postgres_server import start_postgres

            server = start_postgres()
            try:
                url = server.admin_url
                raw = postgres_copy(small, url)
                ingest = run_worker(small, tmp / "p1", url, args.workers)
                report["postgresql"] = _compare(args.rows, ingest, raw)
            finally:
                server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
