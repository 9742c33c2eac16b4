"""Tests for tutela.collect.cdr.freeswitch_csv.

Clause: collect.service_use.call_records.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tutela.collect.cdr import CdrRecord, Rejection, freeswitch_csv

DATA = Path(__file__).parents[1] / "data"
CALLS = pytest.mark.clause("collect.service_use.call_records")


@CALLS
def test_example_template_rows_map_hangup_causes_to_dispositions() -> None:
    path = DATA / "freeswitch_example.csv"
    items = list(
        freeswitch_csv.parse(path, source_name=path.name, tz="America/New_York")
    )
    records = [i for i in items if isinstance(i, CdrRecord)]
    assert [(r.src_raw, r.dst_raw, r.duration_s) for r in records] == [
        ("+15555550100", "2001", 65),
        ("2001", "2002", 20),
        ("2003", "+15555550199", 3),
    ]
    assert [r.disposition for r in records] == ["ANSWERED", "NO ANSWER", "BUSY"]
    first = records[0]
    assert first.start == datetime(2024, 3, 1, 14, 0, tzinfo=UTC)
    assert first.dedupe_key == "fs:0b6a0c52-0000-4000-8000-000000000001"
    assert first.uniqueid == first.linkedid == "0b6a0c52-0000-4000-8000-000000000001"
    assert first.accountcode == "acct1"
    assert records[1].answer is None


@CALLS
def test_unescaped_quotes_in_a_caller_name_are_kept_as_text() -> None:
    path = DATA / "freeswitch_example.csv"
    second = list(freeswitch_csv.parse(path, source_name=path.name))[1]
    assert isinstance(second, CdrRecord)
    assert second.clid_raw == 'Bob "Bobby" Example'


def test_unknown_hangup_cause_is_rejected() -> None:
    path = DATA / "freeswitch_example.csv"
    last = list(freeswitch_csv.parse(path, source_name=path.name))[-1]
    assert isinstance(last, Rejection)
    assert (last.line, last.field) == (4, "hangup_cause")
