"""Web logs and click exports meet bombs, floods and overflowing numbers.

A 1 MB gzip of blank lines used to grow a quarantine file of gigabytes: the
quarantine now holds at most a capped number of records per run (the rest
counted and reported), and a gzip stream that expands like a bomb is cut off
with its reason.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from tests.collect.weblog.test_ingest import SITE
from tutela.collect.quarantine import Quarantine, quarantine_dir, read_quarantine
from tutela.collect.weblog import Reason, Rejection, read_log
from tutela.collect.weblog import _fields as web_fields
from tutela.collect.weblog.ingest import (
    TOO_MANY_TOTALS,
    ingest_click_export,
    ingest_weblog,
    salts_for,
)
from tutela.store.db import Store

pytestmark = pytest.mark.clause("collect.web_use.web_activity")


def test_quarantine_writes_at_most_its_cap_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    with Quarantine(tmp_path, source="weblog", max_records=3) as quarantine:
        for line in range(1, 11):
            quarantine.add(file="f", line=line, reason="empty line")
    assert quarantine.count == 3 and quarantine.omitted == 7
    assert quarantine.path is not None
    records = read_quarantine(quarantine.path)
    assert [r.get("line") for r in records[:3]] == [1, 2, 3]
    assert records[-1]["omitted"] == 7 and "cap of 3" in records[-1]["reason"]


def test_a_quarantine_record_is_bounded_whatever_it_is_given(tmp_path: Path) -> None:
    with Quarantine(tmp_path, source="cdr") as quarantine:
        quarantine.add(
            file="x" * 10_000, line=1, reason="r" * 10_000, excerpt="e" * 10_000
        )
    assert quarantine.path is not None
    assert quarantine.path.stat().st_size < 2_000


def test_blank_line_gzip_gives_a_bounded_quarantine(
    store: Store, tmp_path: Path
) -> None:
    packed = tmp_path / "blank.log.gz"
    packed.write_bytes(gzip.compress(b"\n" * 20_000, compresslevel=9))
    with (
        Quarantine(
            quarantine_dir(store.data_dir), source="weblog", max_records=100
        ) as quarantine,
        store.session() as session,
    ):
        summary = ingest_weblog(
            packed,
            session=session,
            salts=salts_for(store.data_dir),
            site=SITE,
            quarantine=quarantine,
        )
    assert summary.rejected == 20_000
    assert summary.quarantine_omitted == 20_000 - 100
    assert summary.quarantine is not None
    assert len(read_quarantine(Path(summary.quarantine))) == 101


def test_a_decompression_bomb_is_cut_off_with_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real bounds (8 MiB, 200-fold) let a bomb run to tens of megabytes
    # first; smaller ones keep the test quick and show the same cut.
    monkeypatch.setattr(web_fields, "BOMB_MIN_BYTES", 1 << 16)
    monkeypatch.setattr(web_fields, "MAX_EXPANSION", 2)
    bomb = io.BytesIO(gzip.compress(b"\n" * (32 << 20), compresslevel=9))
    records = list(read_log(bomb, site=SITE))
    assert len(records) < 1 << 18
    last = records[-1]
    assert isinstance(last, Rejection) and last.reason == Reason.BOMB


def test_an_honest_gzip_log_is_not_taken_for_a_bomb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(web_fields, "BOMB_MIN_BYTES", 1 << 10)
    line = (
        '203.0.113.{n} - - [10/Oct/2024:13:55:36 +0000] "GET /p/{n} HTTP/1.1" '
        '200 512 "-" "Mozilla/5.0"\n'
    )
    text = "".join(line.format(n=n % 250) for n in range(5000)).encode()
    records = list(read_log(io.BytesIO(gzip.compress(text)), site=SITE))
    assert len(records) == 5000
    assert not any(isinstance(r, Rejection) for r in records)


def _export(store: Store, data: bytes) -> tuple[int, int, list[str]]:
    with (
        Quarantine(quarantine_dir(store.data_dir), source="adclicks") as quarantine,
        store.session() as session,
    ):
        summary = ingest_click_export(
            io.BytesIO(data), session=session, quarantine=quarantine, name="x.csv"
        )
    reasons = (
        [r["reason"] for r in read_quarantine(Path(summary.quarantine))]
        if summary.quarantine
        else []
    )
    return summary.rows, summary.rejected, reasons


@pytest.mark.postgresql
def test_click_counts_beyond_the_column_are_quarantined(store: Store) -> None:
    data = (
        b"Date,Campaign,Clicks\n2024-03-01,Spring,12\n"
        + b"2024-03-01,Summer,"
        + b"9" * 5000
        + b"\n2024-03-02,Summer,2147483647\n2024-03-02,Summer,1\n"
    )
    rows, rejected, reasons = _export(store, data)
    assert (rows, rejected) == (2, 2)
    assert any("clicks is above" in r for r in reasons)
    assert any("add up to more than" in r for r in reasons)


def test_a_click_export_without_line_ends_is_refused_not_held(store: Store) -> None:
    data = b"Date,Campaign,Clicks\n2024-03-01,Spring,12\n" + b"x" * (1 << 20)
    rows, rejected, reasons = _export(store, data)
    assert (rows, rejected) == (1, 1)
    assert "longer than" in reasons[0]


def test_distinct_totals_are_capped_per_export(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tutela.collect.weblog import ingest as module

    monkeypatch.setattr(module, "MAX_TOTALS", 3)
    data = b"Date,Campaign,Clicks\n" + b"".join(
        b"2024-03-01,C%d,1\n" % n for n in range(5)
    )
    rows, rejected, reasons = _export(store, data)
    assert (rows, rejected) == (3, 2)
    assert reasons == [TOO_MANY_TOTALS] * 2
