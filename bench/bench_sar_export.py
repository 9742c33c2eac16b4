"""Benchmark a subject access export against the size of the call-record table.

Clause: rights.access. The export of one subject must cost about the same
whatever the number of other people's calls in the store: every lookup is
an index lookup (by number, by account), never a scan. One SQLite store is
filled with SMALL call records (other accounts, random numbers), the export
of one subject (200 calls of their own, voicemail, tickets) is timed, the
store is topped up to BIG rows, and the same export is timed again. Prints
one JSON document with both figures and their ratio (target: near 1).

    .venv/bin/python bench/bench_sar_export.py                       # 200k vs 2M
    .venv/bin/python bench/bench_sar_export.py --small 1000000 --big 10000000
    TUTELA_BENCH_SAR_SMALL=1000000 TUTELA_BENCH_SAR_BIG=10000000 \\
        .venv/bin/python bench/bench_sar_export.py

Rows are generated with executemany on the raw sqlite3 connection (one
transaction per 100k rows); 10M rows take several minutes and about 3 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from tutela.collect.accounts.contacts import (
    add_person,
    assign_extension,
    assign_number,
    open_account,
)
from tutela.config import Settings
from tutela.rights.export import export_case
from tutela.rights.intake import open_request
from tutela.store import Store, open_store
from tutela.store.models import CallRecord, SarCase

SUBJECT_PHONE = "+14155550123"
SUBJECT_DID = "+14155550100"
ROUNDS = 5
_BATCH = 100_000
_COLUMNS = (
    "account_id, dedupe_key, source_format, src_raw, src_e164, dst_raw, dst_e164, "
    "started_at, ended_at, duration_s, billsec_s, disposition, call_key, created_at"
)


def _subject(store: Store, settings: Settings) -> int:
    """One subject with 200 calls of their own; returns a verified case id."""
    t0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    held_from = t0 - dt.timedelta(days=1)  # her line and phone before her calls
    with store.session() as s:
        acme = open_account(s, organization="Bench Subject Co", jurisdiction="US")
        ann = add_person(
            s,
            account=acme,
            role="contact",
            name="Ann Bench",
            email="ann@bench.example",
            phone=SUBJECT_PHONE,
            since=held_from,
        )
        assign_number(
            s, account=acme, number=SUBJECT_DID, assignee=ann, since=held_from
        )
        assign_extension(s, account=acme, extension="201", person=ann, since=held_from)
        for i in range(200):
            mine, other = (SUBJECT_PHONE, f"+1212555{i:04d}")
            src, dst = (mine, other) if i % 2 else (other, SUBJECT_DID)
            s.add(
                CallRecord(
                    account_id=acme.id,
                    dedupe_key=f"subject-{i}",
                    source_format="bench",
                    src_raw=src,
                    src_e164=src,
                    dst_raw=dst,
                    dst_e164=dst,
                    started_at=t0 + dt.timedelta(minutes=i),
                    ended_at=t0 + dt.timedelta(minutes=i + 1),
                    duration_s=60,
                    billsec_s=55,
                    disposition="ANSWERED",
                    call_key=f"subject-{i}",
                )
            )
    ref = open_request(
        store, email="ann@bench.example", settings=settings, channel="api"
    )
    with store.session() as s:
        case = s.scalars(select(SarCase).where(SarCase.ref == ref)).one()
        case.state = "verified"
        case.verification_method = "email_code"
        return int(case.id)


def _fill(store: Store, start: int, stop: int, accounts: list[int]) -> float:
    """Insert call records start..stop-1 for other accounts; returns rows/s."""
    rng = random.Random(start)
    raw = store.engine.raw_connection()
    began = time.perf_counter()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        base = dt.datetime(2025, 1, 1)
        for first in range(start, stop, _BATCH):
            rows = []
            for n in range(first, min(stop, first + _BATCH)):
                when = base + dt.timedelta(seconds=n * 7)
                src = f"+1{rng.randrange(201, 989)}{rng.randrange(2000000, 9999999)}"
                dst = f"+1{rng.randrange(201, 989)}{rng.randrange(2000000, 9999999)}"
                key = f"bulk-{n}"
                stamp = when.strftime("%Y-%m-%d %H:%M:%S.000000")
                end = (when + dt.timedelta(seconds=90)).strftime(
                    "%Y-%m-%d %H:%M:%S.000000"
                )
                rows.append(
                    (accounts[n % len(accounts)], key, "bench", src, src, dst, dst)
                    + (stamp, end, 90, 80, "ANSWERED", key, stamp)
                )
            # The store drives transactions itself (pysqlite autocommit): begin one.
            cursor.execute("BEGIN")
            cursor.executemany(
                f"INSERT INTO call_records ({_COLUMNS}) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return (stop - start) / (time.perf_counter() - began)


def _time_export(store: Store, settings: Settings, case_id: int) -> dict[str, float]:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        result = export_case(store, case_id, settings=settings)
        times.append(time.perf_counter() - started)
        assert result.counts["call_records"] == 200
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small",
        type=int,
        default=int(os.environ.get("TUTELA_BENCH_SAR_SMALL", 200_000)),
    )
    parser.add_argument(
        "--big",
        type=int,
        default=int(os.environ.get("TUTELA_BENCH_SAR_BIG", 2_000_000)),
    )
    args = parser.parse_args(argv)
    if not 0 < args.small < args.big:
        parser.error("need 0 < --small < --big")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data=Path(tmp))
        store = open_store(settings)
        try:
            case_id = _subject(store, settings)
            with store.session() as s:
                accounts = [
                    open_account(s, organization=f"Bulk {i} Co").id for i in range(50)
                ]
            fill_small = _fill(store, 0, args.small, accounts)
            small = _time_export(store, settings, case_id)
            fill_big = _fill(store, args.small, args.big, accounts)
            big = _time_export(store, settings, case_id)
        finally:
            store.close()
    print(
        json.dumps(
            {
                "backend": "sqlite",
                "subject_calls": 200,
                "small_rows": args.small,
                "big_rows": args.big,
                "small_export_s": small["median_s"],
                "big_export_s": big["median_s"],
                "ratio": round(big["median_s"] / small["median_s"], 3),
                "rounds": ROUNDS,
                "insert_rows_per_s": round(min(fill_small, fill_big)),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
