"""The quick Asterisk row builder gives exactly what the careful path gives."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC
from pathlib import Path

import pytest

from tests.collect.cdr.test_fastpath import BASE_ROW, FILES, MUTATIONS
from tutela.collect import cdr
from tutela.collect.cdr import asterisk_csv
from tutela.collect.cdr import rows as _cdr_rows
from tutela.collect.cdr._chunks import prepared_items
from tutela.collect.cdr._quick import quick_asterisk
from tutela.collect.cdr.rows import prepare
from tutela.errors import InvalidInput

pytestmark = pytest.mark.clause("collect.service_use.call_records")

# Rows the quick builder must either decline or get exactly right.
QUICK_MUTATIONS = [
    ("+14155550101", "+4915155550101"),
    ('"+14155550101"', '"' + "1" * 81 + '"'),
    ('"101"', '"Jos\u00e9"'),
    ('"101"', '"\udce9"'),
    ('"1711850340.1"', '"' + "7" * 151 + '"'),
    ('"1711850340.1"', '"' + "7" * 140 + '"'),
    ('"1711850340.1"', '""'),
    ('"1711850340.1",1', '"1711850340.1",'),
    (",1", ",007"),
    (",1", ",+5"),
    (",1", ",99999999999"),
    (",63,", ",99999999999,"),
    (",60,", ",6\u00b2,"),
    ('"2024-03-31 01:59:03"', '""'),
    ('"2024-03-31 01:59:03"', '"2024-03-31 02:00:04"'),
    ('"2024-03-31 01:59:03"', '"2024-03-31 01:58:59"'),
    ('"2024-03-31 02:00:03"', '"2024-03-31 01:00:03"'),
    ('"2024-03-31 02:00:03"', '"2024-13-31 02:00:03"'),
    ('"2024-03-31 02:00:03"', '"2024-03-31 02:00:60"'),
    ('"2024-03-31 01:59:00"', '"0999-03-31 01:59:00"'),
    ('"2024-03-31 01:59:00"', '"2024-03-31T01:59:00"'),
    ('"ANSWERED"', '"answered"'),
    ('"DOCUMENTATION"', '"Unknown"'),
    ('"DOCUMENTATION"', '"NONE"'),
    ('"""Caller 1"" <+14155550101>"', '""'),
    ('"""Caller 1"" <+14155550101>"', '"M\u00fcller <+14155550101>"'),
    ('"""Caller 1"" <+14155550101>"', '"' + "N" * 300 + ' <1>"'),
    ('"ACME"', '""'),
]


def _careful(source: bytes, sqlite: bool) -> list[object]:
    stamp = _cdr_rows.sqlite_stamp if sqlite else None
    try:
        return [
            item if isinstance(item, cdr.Rejection) else prepare(item, stamp)
            for item in cdr.parse(
                io.BytesIO(source), format="asterisk-csv", source_name="f"
            )
        ]
    except InvalidInput as exc:
        return [("refused", str(exc), exc.errors)]


def _quick(source: bytes, sqlite: bool) -> list[object]:
    try:
        return list(
            prepared_items(
                io.BytesIO(source),
                format="asterisk-csv",
                source_name="f",
                tz="UTC",
                sqlite=sqlite,
            )
        )
    except InvalidInput as exc:
        return [("refused", str(exc), exc.errors)]


def _lines(base: str) -> list[str]:
    lines = [base]
    mutations = MUTATIONS + QUICK_MUTATIONS
    for (a, b), (c, d) in itertools.product(mutations, repeat=2):
        lines.append(base.replace(a, b, 1).replace(c, d, 1))
    return lines


@pytest.mark.parametrize("sqlite", [True, False], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_quick_rows_equal_careful_rows_on_every_sample(
    path: Path, sqlite: bool
) -> None:
    source = path.read_bytes()
    assert _quick(source, sqlite) == _careful(source, sqlite)


@pytest.mark.parametrize("sqlite", [True, False], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("columns", [21, 20, 19, 18, 17, 16])
def test_quick_rows_equal_careful_rows_on_mutated_rows(
    columns: int, sqlite: bool
) -> None:
    # Drop trailing columns of the 21-column row to get the other layouts
    # (16-18 then hold no sequence, so their keys are digests).
    fields = BASE_ROW.split(",")
    base = ",".join(fields[: len(fields) - 21 + columns])
    source = "\n".join(_lines(base)).encode("utf-8", "surrogateescape")
    quick = _quick(source, sqlite)
    assert quick == _careful(source, sqlite)
    assert len(quick) > len(MUTATIONS + QUICK_MUTATIONS) ** 2


@pytest.mark.parametrize("columns", [21, 16])
def test_quick_builder_takes_the_common_row(columns: int) -> None:
    split = next(csv.reader([BASE_ROW]))[:columns]
    names = asterisk_csv.LAYOUTS[columns]
    record = asterisk_csv.build_record(split, names, 1, UTC)
    quick = quick_asterisk(split, names, 1, True)
    assert quick is not None
    assert quick == prepare(record, _cdr_rows.sqlite_stamp)


def test_quick_builder_declines_what_it_cannot_be_sure_of() -> None:
    split = next(csv.reader([BASE_ROW]))
    names = asterisk_csv.LAYOUTS[21]
    for index, value in [(9, "2024-03-31 1:59:00"), (12, "-63"), (14, "answered")]:
        changed = list(split)
        changed[index] = value
        assert quick_asterisk(changed, names, 1, True) is None
