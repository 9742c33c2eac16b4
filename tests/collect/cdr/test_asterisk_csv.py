"""Tests for tutela.collect.cdr.asterisk_csv.

Clause: collect.service_use.call_records.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.samples import TELEPHONY
from tutela.collect.cdr import CdrItem, CdrRecord, Rejection, asterisk_csv, raw_bytes
from tutela.errors import InvalidInput

DATA = Path(__file__).parents[1] / "data"
SAMPLES = TELEPHONY / "asterisk_cdr_csv"
CALLS = pytest.mark.clause("collect.service_use.call_records")


def _parse(path: Path, tz: str = "UTC") -> list[CdrItem]:
    return list(asterisk_csv.parse(path, source_name=path.name, tz=tz))


def _records(items: list[CdrItem]) -> list[CdrRecord]:
    return [i for i in items if isinstance(i, CdrRecord)]


def _rejections(items: list[CdrItem]) -> list[Rejection]:
    return [i for i in items if isinstance(i, Rejection)]


@CALLS
def test_testsuite_good_sample_yields_every_row_with_source_destination_duration() -> (
    None
):
    items = _parse(SAMPLES / "testsuite_cdrlib_good.csv")
    records = _records(items)
    assert len(items) == len(records) == 5
    assert [(r.src_raw, r.dst_raw, r.duration_s) for r in records] == [
        ("test", "100", 5)
    ] * 5
    assert [r.billsec_s for r in records] == [5, 7, 0, 0, 0]
    assert [r.disposition for r in records] == [
        "ANSWERED",
        "ANSWERED",
        "FAILED",
        "NO ANSWER",
        "BUSY",
    ]
    first = records[0]
    assert first.clid_raw == '"Test User" <test>'
    assert first.channel == "SIP/test-02897fd8"
    assert first.start == datetime(2009, 1, 14, 23, 51, 15, tzinfo=UTC)
    assert first.end == datetime(2009, 1, 14, 23, 51, 20, tzinfo=UTC)
    assert first.uniqueid == "1231977075.0"
    assert first.userfield == ""
    assert [r.line for r in records] == [1, 2, 3, 4, 5]


@CALLS
def test_rows_sharing_a_uniqueid_keep_distinct_dedupe_keys() -> None:
    records = _records(_parse(SAMPLES / "testsuite_cdrlib_good.csv"))
    assert len({r.dedupe_key for r in records}) == 5


@CALLS
def test_self_test_masters_parse_and_overlapping_row_has_same_key() -> None:
    master = _records(_parse(SAMPLES / "testsuite_self_test_Master.csv"))
    master2 = _records(_parse(SAMPLES / "testsuite_self_test_Master2.csv"))
    assert [(r.src_raw, r.dst_raw, r.duration_s) for r in master] == [
        ("", "1", 7),
        ("", "1", 7),
    ]
    assert master[0].channel == "Console/dsp"
    assert len(master2) == 1
    assert master2[0].dedupe_key == master[0].dedupe_key
    assert master[1].dedupe_key != master[0].dedupe_key


@CALLS
def test_malformed_sample_row_is_rejected_for_its_unterminated_quote() -> None:
    items = _parse(SAMPLES / "testsuite_cdrlib_buggy_MALFORMED.csv")
    assert len(items) == 1
    rejection = items[0]
    assert isinstance(rejection, Rejection)
    assert rejection.file == "testsuite_cdrlib_buggy_MALFORMED.csv"
    assert rejection.line == 1
    assert rejection.reason == "unterminated quote in field 18"
    assert rejection.excerpt.startswith('"","test","100"')


@CALLS
@pytest.mark.parametrize(
    ("name", "uniqueid", "userfield"),
    [
        ("asterisk_csv_16.csv", None, None),
        ("asterisk_csv_17.csv", "1709283600.1", None),
        ("asterisk_csv_18.csv", "1709283600.1", "vip"),
    ],
)
def test_layout_is_detected_from_the_column_count(
    name: str, uniqueid: str | None, userfield: str | None
) -> None:
    first = _records(_parse(DATA / name))[0]
    assert (first.src_raw, first.dst_raw, first.duration_s) == (
        "+15555550100",
        "2001",
        65,
    )
    assert first.clid_raw == '"Alice Example" <+15555550100>'
    assert first.lastdata == "PJSIP/2001,30"
    assert first.accountcode == "acct1"
    assert (first.uniqueid, first.userfield) == (uniqueid, userfield)
    assert first.linkedid is None and first.sequence is None


@CALLS
def test_empty_unquoted_answer_means_never_answered() -> None:
    second = _records(_parse(DATA / "asterisk_csv_16.csv"))[1]
    assert second.answer is None
    assert (second.src_raw, second.dst_raw, second.duration_s) == ("2001", "2002", 20)
    assert (second.billsec_s, second.disposition) == (0, "NO ANSWER")


@CALLS
def test_newcdrcolumns_layout_reads_peeraccount_linkedid_sequence() -> None:
    records = _records(_parse(DATA / "asterisk_csv_21.csv"))
    assert len(records) == 3
    second = records[1]
    assert (second.peeraccount, second.linkedid, second.sequence) == (
        "peer2",
        "1709283600.1",
        8,
    )
    assert second.dedupe_key == "ast:1709283665.2:8"
    assert records[2].answer is None and records[2].disposition == "BUSY"


@CALLS
def test_bad_rows_are_rejected_with_line_and_reason_and_good_rows_kept() -> None:
    items = _parse(DATA / "asterisk_csv_bad_rows.csv")
    assert [r.line for r in _records(items)] == [1, 10]
    got = [(r.line, r.field, r.reason) for r in _rejections(items)]
    assert got == [
        (2, "duration", "duration is negative"),
        (3, "end", "end is before start"),
        (4, "start", "start is not a possible date and time"),
        (5, "disposition", "disposition is not a known Asterisk disposition"),
        (6, "billsec", "billsec is not a whole number of seconds"),
        (7, None, "16 fields where this file's rows have 18"),
        (8, None, "text after closing quote in field 5"),
        (11, None, "unterminated quote in field 17"),
    ]


def test_rejection_reasons_never_quote_personal_values() -> None:
    for rejection in _rejections(_parse(DATA / "asterisk_csv_bad_rows.csv")):
        assert "2001" not in rejection.reason
        assert "Dan" not in rejection.reason


@CALLS
def test_non_utf8_caller_id_bytes_are_kept_losslessly() -> None:
    record = _records(_parse(DATA / "asterisk_csv_latin1_clid.csv"))[0]
    assert raw_bytes(record.clid_raw) == b'"Ren\xe9 Example" <2004>'
    assert record.src_raw == "2004"


@CALLS
def test_times_are_read_in_the_given_zone_and_stored_in_utc() -> None:
    items = _parse(DATA / "asterisk_csv_paris.csv", tz="Europe/Paris")
    summer, fall_back = _records(items)
    assert summer.start == datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    # 02:50 CEST then 02:10 CET: the repeated hour is resolved by the duration.
    assert fall_back.start == datetime(2024, 10, 27, 0, 50, tzinfo=UTC)
    assert fall_back.end == datetime(2024, 10, 27, 1, 10, tzinfo=UTC)
    (gap,) = _rejections(items)
    assert (gap.line, gap.field) == (3, "start")
    assert "does not exist" in gap.reason


def test_same_record_read_in_its_zone_has_the_same_key_as_in_utc() -> None:
    local = (
        b'"","1","2","c","","ch","","Dial","","2024-07-01 14:00:00",,'
        b'"2024-07-01 14:00:09",9,0,"NO ANSWER","DOCUMENTATION"\n'
    )
    utc = local.replace(b" 14:", b" 12:")
    (a,) = asterisk_csv.parse(io.BytesIO(local), source_name="a", tz="Europe/Paris")
    (b,) = asterisk_csv.parse(io.BytesIO(utc), source_name="b")
    assert isinstance(a, CdrRecord) and isinstance(b, CdrRecord)
    assert a.dedupe_key == b.dedupe_key


def test_unterminated_last_line_ending_in_a_bare_number_is_rejected() -> None:
    row = (DATA / "asterisk_csv_21.csv").read_bytes().splitlines()[0]
    items = list(
        asterisk_csv.parse(io.BytesIO(row + b"\n" + row[:-1]), source_name="live")
    )
    assert isinstance(items[0], CdrRecord)
    assert isinstance(items[1], Rejection)
    assert items[1].reason.startswith("last line has no line end")


def test_binary_garbage_is_refused_as_a_whole() -> None:
    with pytest.raises(InvalidInput) as exc:
        _parse(DATA / "garbage.bin")
    assert exc.value.location.file == "garbage.bin"
    assert exc.value.errors[0] == "garbage.bin:1: binary data (NUL byte)"


@pytest.mark.parametrize(
    "sample",
    [
        TELEPHONY / "asterisk_cel_csv" / "testsuite_CELMaster1.csv",
        TELEPHONY / "cdr_stats_import" / "CDRImport-2015-10-26.csv",
        TELEPHONY / "freeswitch" / "cgrates_fscdr_test_body.json",
        DATA / "freeswitch_example.csv",
    ],
)
def test_a_file_of_another_format_is_refused(sample: Path) -> None:
    with pytest.raises(InvalidInput, match="nothing in the input can be read"):
        _parse(sample)


def test_empty_file_yields_nothing_and_no_error() -> None:
    assert list(asterisk_csv.parse(io.BytesIO(b""), source_name="empty")) == []


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown time zone"):
        asterisk_csv.parse(io.BytesIO(b""), source_name="x", tz="Mars/Olympus")


def test_parsing_is_lazy_and_reads_text_streams() -> None:
    rows = (DATA / "asterisk_csv_16.csv").read_text() * 1000
    items = asterisk_csv.parse(io.StringIO(rows), source_name="big")
    first = next(items)
    assert isinstance(first, CdrRecord) and first.line == 1
    assert sum(1 for _ in items) == 1999


@CALLS
@pytest.mark.parametrize(
    "disposition",
    ["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", "UNKNOWN"],
)
def test_every_disposition_asterisk_writes_is_kept_not_quarantined(
    disposition: str,
) -> None:
    # UNKNOWN is what ast_cdr_disp2str() writes for any other state: still a call.
    row = (
        '"","2001","2002","from-internal","""Dan Example"" <2001>","PJSIP/2001-1",'
        '"PJSIP/2002-2","Dial","PJSIP/2002","2024-05-01 08:00:00","",'
        f'"2024-05-01 08:00:31",31,0,"{disposition}","DOCUMENTATION",'
        '"1714550400.1",""\n'
    )
    items = list(
        asterisk_csv.parse(io.BytesIO(row.encode()), source_name="Master.csv", tz="UTC")
    )
    assert _rejections(items) == []
    assert [r.disposition for r in _records(items)] == [disposition]
