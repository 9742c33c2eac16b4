"""Tests for tutela.collect.cdr.freeswitch_json.

Clause: collect.service_use.call_records.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.samples import TELEPHONY
from tutela.collect.cdr import CdrRecord, Rejection, freeswitch_json
from tutela.errors import InvalidInput

DATA = Path(__file__).parents[1] / "data"
SAMPLE = TELEPHONY / "freeswitch" / "cgrates_fscdr_test_body.json"
CALLS = pytest.mark.clause("collect.service_use.call_records")


@CALLS
def test_cgrates_sample_document_yields_one_answered_leg() -> None:
    (record,) = freeswitch_json.parse(SAMPLE, source_name=SAMPLE.name)
    assert isinstance(record, CdrRecord)
    assert (record.src_raw, record.dst_raw, record.duration_s) == ("1001", "1002", 71)
    assert (record.billsec_s, record.disposition) == (68, "ANSWERED")
    # Epochs win over the stamps, which are in the switch's local time (UTC+1).
    assert record.start == datetime(2018, 1, 11, 10, 25, 44, tzinfo=UTC)
    assert record.answer == datetime(2018, 1, 11, 10, 25, 47, tzinfo=UTC)
    assert record.end == datetime(2018, 1, 11, 10, 26, 55, tzinfo=UTC)
    assert record.dedupe_key == "fs:3da8bf84-c133-4959-9e24-e72875cb33a1"
    assert record.clid_raw == '"1001" <1001>'
    assert record.dcontext == "default"
    assert (record.lastapp, record.line) == ("bridge", 1)


@CALLS
def test_url_encoded_values_are_detected_and_decoded() -> None:
    path = DATA / "freeswitch_encoded.json"
    (record,) = freeswitch_json.parse(path, source_name=path.name)
    assert isinstance(record, CdrRecord)
    assert record.src_raw == "+15555550100"
    assert record.clid_raw == '"Alice Example" <+15555550100>'
    assert record.channel == "sofia/external/+15555550100@192.0.2.10"
    assert (record.dst_raw, record.duration_s) == ("2001", 65)


@CALLS
def test_json_lines_yield_records_and_rejections_in_order() -> None:
    path = DATA / "freeswitch_cdrs.jsonl"
    items = list(freeswitch_json.parse(path, source_name=path.name))
    assert [type(i).__name__ for i in items] == [
        "CdrRecord",
        "CdrRecord",
        "Rejection",
        "Rejection",
        "Rejection",
    ]
    unanswered, micro = items[0], items[1]
    assert isinstance(unanswered, CdrRecord) and isinstance(micro, CdrRecord)
    # Numbers fall back to the caller profile when variables lack them.
    assert (unanswered.src_raw, unanswered.dst_raw) == ("2001", "2002")
    assert (unanswered.answer, unanswered.disposition) == (None, "NO ANSWER")
    assert micro.start == datetime(2024, 3, 1, 11, 0, tzinfo=UTC)
    assert (micro.duration_s, micro.billsec_s) == (31, 28)
    reasons = [(i.line, i.reason) for i in items if isinstance(i, Rejection)]
    assert reasons == [
        (3, "not valid JSON"),
        (4, "JSON record has no variables object"),
        (5, "duration is negative"),
    ]


def test_concatenated_documents_report_their_starting_lines() -> None:
    doc = SAMPLE.read_text()
    text = doc + "\n" + doc.replace("3da8bf84-c133", "00000000-c133")
    items = list(freeswitch_json.parse(io.StringIO(text), source_name="two"))
    assert [i.line for i in items] == [1, doc.count("\n") + 2]
    assert len({i.dedupe_key for i in items if isinstance(i, CdrRecord)}) == 2


def test_json_without_any_cdr_is_refused() -> None:
    data = json.dumps({"hello": "world"}).encode()
    with pytest.raises(InvalidInput, match="freeswitch-json"):
        list(freeswitch_json.parse(io.BytesIO(data), source_name="x"))
