"""CDR ingest in two processes gives exactly what the single-process path gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from tests.samples import TELEPHONY
from tutela.collect import cdr
from tutela.collect.accounts.contacts import assign_number, open_account
from tutela.collect.cdr.ingest import COLUMNS, ingest_cdr
from tutela.collect.quarantine import read_quarantine
from tutela.errors import InvalidInput
from tutela.store.db import Store
from tutela.store.models import CallRecord

pytestmark = pytest.mark.clause("collect.service_use.call_records")

DATA = Path(__file__).parents[1].joinpath("data")
FILES = sorted(
    p
    for p in (*DATA.iterdir(), *TELEPHONY.rglob("*"))
    if p.is_file() and p.name != "SOURCES.md"
)
ROW = (
    '"{code}","{src}","{dst}","from-internal","""Pat"" <{src}>","PJSIP/a-1",'
    '"PJSIP/b-1","Dial","","2024-03-01 10:00:00","2024-03-01 10:00:02",'
    '"2024-03-01 10:01:00",60,58,"ANSWERED","DOCUMENTATION",'
    '"{uid}","","","{uid}",{seq}\n'
)


def _accounts(store: Store) -> None:
    with store.session() as session:
        open_account(session, organization="Acme Dental", ref="ACME")
        paris = open_account(session, organization="Paris", ref="PARIS", region="FR")
        assign_number(session, account=paris, number="+33142685300")


def _run(store: Store, path: Path, workers: int, **kw: Any) -> dict[str, Any]:
    """One ingest's whole outcome; the stored rows are removed afterwards."""
    seen: list[int] = []
    try:
        summary = ingest_cdr(store, path, workers=workers, progress=seen.append, **kw)
    except InvalidInput as exc:
        outcome: dict[str, Any] = {"error": (type(exc), str(exc), exc.location)}
    else:
        quarantine = (
            [
                {k: v for k, v in record.items() if k != "at"}
                for record in read_quarantine(summary.quarantine)
            ]
            if summary.quarantine
            else []
        )
        outcome = {
            "counts": (summary.read, summary.stored, summary.duplicate),
            "rejected": summary.rejected,
            "quarantine": quarantine,
        }
    outcome["progress"] = seen
    columns = [getattr(CallRecord, name) for name in COLUMNS]
    with store.session() as session:
        outcome["rows"] = [
            tuple(row) for row in session.execute(select(*columns).order_by("id"))
        ]
        session.execute(delete(CallRecord))
    return outcome


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_pipeline_matches_single_process_on_every_sample(
    store: Store, path: Path
) -> None:
    _accounts(store)
    for format in cdr.FORMATS:
        for account_ref in (None, "PARIS"):
            kw: dict[str, Any] = {
                "format": format,
                "account_ref": account_ref,
                "chunk_rows": 2,
            }
            single = _run(store, path, 1, **kw)
            piped = _run(store, path, 2, **kw)
            assert piped == single, (format, account_ref)


@pytest.mark.postgresql
def test_pipeline_matches_on_chunks_with_rejections_and_other_regions(
    store: Store, tmp_path: Path
) -> None:
    _accounts(store)
    path = tmp_path / "Master.csv"
    lines = []
    for i in range(50):
        code = ("ACME", "PARIS", "NOBODY", "")[i % 4]
        src = ("0142685300", "4155550101", "101", "+33142685300")[i % 3]
        lines.append(ROW.format(code=code, src=src, dst="102", uid=f"1.{i}", seq=i))
        if i % 7 == 0:
            lines.append("not,a,cdr\n")
        if i % 11 == 0:
            lines.append(ROW.format(code=code, src="9" * 90, dst="1", uid="x", seq=i))
    path.write_text("".join(lines), encoding="utf-8")
    for account_ref in (None, "ACME", "PARIS"):
        kw = {"format": "asterisk-csv", "account_ref": account_ref, "chunk_rows": 4}
        single = _run(store, path, 1, **kw)
        assert single["rows"] and single["quarantine"]
        assert _run(store, path, 2, **kw) == single


def test_pipeline_refuses_an_unusable_file_with_its_location(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(b"\x00\x01binary\xff" * 100)
    single = _run(store, path, 1, format="asterisk-csv")
    piped = _run(store, path, 2, format="asterisk-csv")
    assert "error" in single and piped == single


@pytest.mark.postgresql
def test_a_file_overlapping_stored_rows_is_counted_exactly(
    store: Store, tmp_path: Path
) -> None:
    # On PostgreSQL a chunk is COPY'd straight in; a key stored already stops
    # the COPY and the chunk must go the careful way, with exact counts and
    # the first of two rows with one key kept, in file order.
    _accounts(store)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    rows = [
        ROW.format(code="ACME", src="4155550101", dst="102", uid=f"9.{i}", seq=i)
        for i in range(15)
    ]
    first.write_text("".join(rows[:10]), encoding="utf-8")
    second.write_text("".join(rows[5:] + rows[5:7]), encoding="utf-8")
    ingest_cdr(store, first, format="asterisk-csv")
    summary = ingest_cdr(store, second, format="asterisk-csv", chunk_rows=6)
    assert (summary.read, summary.stored, summary.duplicate) == (12, 5, 7)
    with store.session() as session:
        keys = session.scalars(select(CallRecord.uniqueid).order_by(CallRecord.id))
        assert list(keys) == [f"9.{i}" for i in range(15)]
