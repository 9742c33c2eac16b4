"""Tests for tutela.collect.cdr.records.

Clause: collect.service_use.call_records.
"""

from __future__ import annotations

import io
import pkgutil
from pathlib import Path

import pytest

import tutela.collect.cdr as cdr
from tutela.collect.cdr import CdrRecord, group_calls, iter_calls
from tutela.collect.cdr._csvline import split_line
from tutela.errors import InvalidInput

DATA = Path(__file__).parents[1] / "data"


def _records(name: str) -> list[CdrRecord]:
    items = cdr.parse(DATA / name, format="asterisk-csv", source_name=name)
    return [i for i in items if isinstance(i, CdrRecord)]


def test_all_is_sorted_and_complete() -> None:
    assert cdr.__all__ == sorted(cdr.__all__)
    public = {n for n in vars(cdr) if not n.startswith("_")}
    # Submodules (the parsers, and those the ingest re-exported here loads).
    modules = {info.name for info in pkgutil.iter_modules(cdr.__path__)}
    extra = {"annotations", "Callable", "Iterator", "Final", "tzinfo", "InvalidInput"}
    assert public - modules - extra - {"records", "Parser"} == set(cdr.__all__)


@pytest.mark.clause("collect.service_use.call_records")
def test_group_calls_joins_legs_sharing_a_linkedid() -> None:
    calls = group_calls(_records("asterisk_csv_21.csv"))
    assert {k: [r.sequence for r in v] for k, v in calls.items()} == {
        "1709283600.1": [7, 8],
        "1709290800.4": [9],
    }
    assert [k for k, _ in iter_calls(_records("asterisk_csv_21.csv"))] == [
        "1709283600.1",
        "1709290800.4",
    ]


def test_records_without_linkedid_group_by_uniqueid() -> None:
    calls = group_calls(_records("asterisk_csv_17.csv"))
    assert list(calls) == ["1709283600.1", "1709287200.3"]


def test_dedupe_keys_are_stable_across_runs() -> None:
    first = [r.dedupe_key for r in _records("asterisk_csv_16.csv")]
    again = [r.dedupe_key for r in _records("asterisk_csv_16.csv")]
    assert first == again
    assert all(k.startswith("sha256:") and len(k) == 71 for k in first)


def test_parse_dispatches_on_format_and_refuses_unknown_ones() -> None:
    assert cdr.FORMATS == (
        "asterisk-csv",
        "asterisk-custom",
        "freeswitch-csv",
        "freeswitch-json",
    )
    with pytest.raises(InvalidInput, match="unknown CDR format"):
        cdr.parse(io.BytesIO(b""), format="cel", source_name="x")


@pytest.mark.parametrize(
    ("line", "fields", "error"),
    [
        ('"a""b",,1', ['a"b', "", "1"], None),
        ('"a",', ["a", ""], None),
        ('"a', ["a"], "unterminated quote in field 1"),
        ('"a"b,c', ["a"], "text after closing quote in field 1"),
        ('a"b,c', ['a"b'], "stray quote in unquoted field 1"),
    ],
)
def test_split_line_follows_asterisk_quoting(
    line: str, fields: list[str], error: str | None
) -> None:
    split = split_line(line)
    assert (split.fields, split.error) == (fields, error)


def test_rejections_before_the_first_good_line_come_out_in_order() -> None:
    good = (DATA / "asterisk_csv_16.csv").read_bytes().splitlines()[0]
    data = b"junk\n" * 3 + good + b"\n"
    items = list(cdr.parse(io.BytesIO(data), format="asterisk-csv", source_name="m"))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Rejection", 1),
        ("Rejection", 2),
        ("Rejection", 3),
        ("CdrRecord", 4),
    ]


def test_long_unusable_input_releases_rejections_then_is_refused() -> None:
    data = io.BytesIO(b"junk\n" * 1500)
    items = cdr.parse(data, format="asterisk-csv", source_name="m")
    seen = 0
    with pytest.raises(InvalidInput):
        for _ in items:
            seen += 1
    assert seen == 1001
