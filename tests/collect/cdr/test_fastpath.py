"""The CDR fast paths give exactly what the careful paths give, on every input."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from tests.samples import TELEPHONY
from tutela.collect import cdr
from tutela.collect.cdr import _asterisk, _dsv, _fields
from tutela.collect.cdr._csvline import FastSplitter, split_line
from tutela.collect.cdr.records import CdrRecord, new_record
from tutela.collect.cdr.rows import sqlite_stamp
from tutela.errors import InvalidInput

pytestmark = pytest.mark.clause("collect.service_use.call_records")

DATA = Path(__file__).parents[1].joinpath("data")
FILES = sorted(p for p in DATA.iterdir() if p.is_file()) + sorted(
    p for p in TELEPHONY.rglob("*") if p.is_file()
)
CSV_FORMATS = ("asterisk-csv", "asterisk-custom", "freeswitch-csv")
TRICKY_LINES = [
    "a,b,c",
    '"a","b","c"',
    '"a""b",c',
    '"",""',
    '""""',
    '"a",',
    ",",
    ',,"x"',
    '"a,b",c',
    '"a"b,c',
    'a"b,c',
    '"a',
    '"a""',
    '"a" ,b',
    ' "a",b',
    "a\rb,c",
    '"a\rb",c',
    '"Jos\udce9",x',
    '"""Pat"" <4155550101>",1',
    '"a"""b",c',
    '"x"y"z"',
]


class _NoFastSplit:
    def __call__(self, text: str) -> list[str] | None:
        return None


def _careful_stamps(text: str, field: str, tz: object) -> tuple[datetime, ...]:
    return _fields._careful_instants(text, field, tz)  # type: ignore[arg-type]


def _items(path: Path, fmt: str, tz: str) -> list[object]:
    try:
        return list(cdr.parse(path, format=fmt, source_name="f", tz=tz))
    except InvalidInput as exc:
        return [("refused", str(exc), exc.errors)]


@pytest.mark.parametrize("lenient", [False, True])
@pytest.mark.parametrize("text", TRICKY_LINES)
def test_fast_split_matches_split_line_or_declines(text: str, lenient: bool) -> None:
    fast = FastSplitter()(text)
    careful = split_line(text, lenient_quotes=lenient)
    if fast is not None:
        assert careful.error is None
        assert fast == careful.fields
        assert careful.closed_by_quote == text.endswith('"')
    elif not lenient:
        assert careful.error is not None or "\r" in text


def test_fast_splitter_keeps_lines_apart_after_a_declined_line() -> None:
    split = FastSplitter()
    assert split('"open') is None
    assert split('"a","b"') == ["a", "b"]
    assert split("c,d") == ["c", "d"]


@pytest.mark.parametrize("fmt", CSV_FORMATS)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fast_and_careful_parsers_yield_the_same_items(
    path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = {tz: _items(path, fmt, tz) for tz in ("UTC", "Europe/Paris")}
    monkeypatch.setattr(_dsv, "FastSplitter", _NoFastSplit)
    monkeypatch.setattr(_asterisk, "stamp_instants", _careful_stamps)
    for tz, items in fast.items():
        assert items == _items(path, fmt, tz)


@pytest.mark.parametrize("tz", [UTC, ZoneInfo("Europe/Paris"), ZoneInfo("UTC")])
def test_stamp_fast_path_matches_careful_path_on_edge_values(tz: ZoneInfo) -> None:
    parts = itertools.product(
        ["0000", "0001", "2024", "2023", "9999"],
        ["00", "02", "03", "10", "12", "13"],
        ["00", "28", "29", "31", "32"],
        ["00", "02", "23", "24"],
        ["00", "30", "59", "60"],
        ["00", "59", "60"],
    )
    texts = [f"{y}-{mo}-{d} {h}:{mi}:{s}" for y, mo, d, h, mi, s in parts]
    texts += ["2024-03-01 10:00:0", "2024-03-01T10:00:00", "\u0662024-03-01 10:00:00"]
    for text in texts * 2:  # the second round is served from the cache
        try:
            expected: object = _fields._careful_instants(text, "start", tz)
        except _fields.RowError as err:
            expected = (err.reason, err.field)
        try:
            got: object = _fields.stamp_instants(text, "start", tz)
        except _fields.RowError as err:
            got = (err.reason, err.field)
        assert got == expected, text
        if isinstance(got, tuple) and isinstance(got[0], datetime):
            assert all(g.tzinfo is UTC for g in got)


@pytest.mark.parametrize(
    "text", ["0", "60", "007", "+5", "-1", " 6", "6.5", "", "x", "\u0661", "\u00b2"]
)
def test_seconds_fast_path_matches_the_careful_rules(text: str) -> None:
    for fractional in (False, True):
        try:
            got: object = _fields.seconds(text, "duration", fractional=fractional)
        except _fields.RowError as err:
            got = err.reason
        value = text.strip()
        pattern = _fields.DECIMAL_RE if fractional else _fields.INT_RE
        if pattern.fullmatch(value) is None:
            assert got == "duration is not a whole number of seconds"
        elif float(value) < 0:
            assert got == "duration is negative"
        else:
            assert got == int(float(value))


def test_new_record_equals_the_dataclass_constructor() -> None:
    names = [f.name for f in dataclasses.fields(CdrRecord)]
    values = [f"v{i}" for i in range(len(names))]
    record = new_record(*values)  # type: ignore[arg-type]
    assert record == CdrRecord(*values)  # type: ignore[arg-type]
    assert [getattr(record, n) for n in names] == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.line = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    "value",
    [
        datetime(2024, 3, 1, 10, 0, tzinfo=UTC),
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_sqlite_stamp_is_what_sqlalchemy_stores(value: datetime) -> None:
    dialect = sqlite.dialect()
    process = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    assert sqlite_stamp(value) == process(value)


BASE_ROW = (
    '"ACME","+14155550101","101","from-external","""Caller 1"" <+14155550101>",'
    '"PJSIP/trunk-1","PJSIP/101-1","Dial","PJSIP/101,30","2024-03-31 01:59:00",'
    '"2024-03-31 01:59:03","2024-03-31 02:00:03",63,60,"ANSWERED","DOCUMENTATION",'
    '"1711850340.1","","","1711850340.1",1'
)
MUTATIONS = [
    ("Caller", "Jos\udce9"),
    ('""Caller', '""Cal""""ler'),
    ('"Dial"', 'Di"al'),
    ('"Dial"', '"Di"al'),
    ('"Dial"', '"Dial'),
    (",63,", ",-63,"),
    (",63,", ',"63",'),
    (",63,", ",63.5,"),
    ("2024-03-31 0", "2024-10-27 0"),
    ("02:00:03", "03:00:03"),
    ('"ANSWERED"', '"NO ANSWER"'),
    (',"",', ",,"),
    ('"2024', "2024"),
    ("2024", "\u06624024"),
    ('","', '", "'),
    (":", "\r"),
    ("ACME", ""),
]


def test_fast_and_careful_parsers_agree_on_mutated_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [BASE_ROW]
    for (a, b), (c, d) in itertools.product(MUTATIONS, repeat=2):
        lines.append(BASE_ROW.replace(a, b, 1).replace(c, d, 1))
    lines += [BASE_ROW + "\r", BASE_ROW + ",", BASE_ROW.rsplit(",", 1)[0], ""]
    path = tmp_path / "Master.csv"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
    formats = ("asterisk-csv", "freeswitch-csv")
    fast = {
        (f, tz): _items(path, f, tz) for f in formats for tz in ("UTC", "Europe/Paris")
    }
    assert any(isinstance(i, CdrRecord) for i in fast["asterisk-csv", "UTC"])
    monkeypatch.setattr(_dsv, "FastSplitter", _NoFastSplit)
    monkeypatch.setattr(_asterisk, "stamp_instants", _careful_stamps)
    for (fmt, tz), items in fast.items():
        assert items == _items(path, fmt, tz)
