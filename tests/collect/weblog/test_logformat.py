"""Access-log parsing: policy "the website records content viewed, date and time
and IP address"."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tutela.collect.weblog import (
    Hit,
    MemorySaltStore,
    Reason,
    Rejection,
    WebLogPipeline,
    parse_line,
    read_log,
)
from tutela.errors import InvalidInput

DATA = Path(__file__).parents[1] / "web_data"
ACCESS_LOG = DATA / "access.log"
SITE = "www.example.com"

EXPECTED_REJECTIONS = {
    7: Reason.BAD_TIME,
    10: Reason.BAD_REQUEST,
    12: Reason.BAD_REQUEST,
    14: Reason.BAD_IP,
    17: Reason.TRUNCATED,
    20: Reason.EMPTY,
    23: Reason.BAD_STATUS,
    26: Reason.BAD_IP,
    29: Reason.NOT_UTF8,
    32: Reason.OVERSIZED,
    35: Reason.MALFORMED,
    36: Reason.BAD_IP,
    44: Reason.BAD_TIME,
    51: Reason.TRUNCATED,
}
BOT_LINES = {3, 9, 21, 30, 31, 41}


def _rejections(records: list[Hit | Rejection]) -> dict[int, str]:
    return {r.line: r.reason for r in records if isinstance(r, Rejection)}


@pytest.mark.clause("collect.web_use.web_activity")
def test_realistic_log_rejects_exactly_the_malformed_lines() -> None:
    records = list(read_log(ACCESS_LOG, site=SITE))
    assert len(records) == 51
    assert _rejections(records) == EXPECTED_REJECTIONS
    assert all(r.file == str(ACCESS_LOG) for r in records if isinstance(r, Rejection))


@pytest.mark.clause("collect.web_use.web_activity")
def test_pipeline_counts_bots_separately_and_keeps_every_other_hit() -> None:
    pipeline = WebLogPipeline(MemorySaltStore())
    out = list(pipeline.process(read_log(ACCESS_LOG, site=SITE)))
    counts = pipeline.counts
    assert counts.lines == 51
    assert counts.rejected == len(EXPECTED_REJECTIONS)
    assert counts.bots == len(BOT_LINES)
    assert counts.visits == 51 - len(EXPECTED_REJECTIONS) - len(BOT_LINES)
    assert counts.ad_clicks == 4
    assert len(out) == counts.visits + counts.ad_clicks + counts.rejected


@pytest.mark.clause("collect.web_use.web_activity")
def test_gzip_is_detected_by_magic_bytes_not_by_name(tmp_path: Path) -> None:
    disguised = tmp_path / "access.log"  # no .gz suffix
    disguised.write_bytes(gzip.compress(ACCESS_LOG.read_bytes()))
    plain = list(read_log(ACCESS_LOG, site=SITE, name="x"))
    packed = list(read_log(disguised, site=SITE, name="x"))
    assert _rejections(packed) == EXPECTED_REJECTIONS
    assert [repr(r) for r in packed] == [repr(r) for r in plain]


def test_cut_gzip_stream_keeps_read_lines_and_reports_the_rest() -> None:
    packed = gzip.compress(ACCESS_LOG.read_bytes())
    records = list(read_log(io.BytesIO(packed[: len(packed) // 2]), site=SITE))
    assert isinstance(records[-1], Rejection)
    assert records[-1].reason == Reason.CORRUPT
    assert any(isinstance(r, Hit) for r in records)


def test_request_time_is_converted_to_utc() -> None:
    line = (
        b'198.51.100.45 - - [10/Mar/2024:19:30:00 -0700] "GET / HTTP/1.1" 200 1 '
        b'"-" "Mozilla/5.0 (X11; Linux x86_64)"\n'
    )
    hit = parse_line(line, file="f", line=1, site=SITE)
    assert isinstance(hit, Hit)
    assert hit.time == datetime(2024, 3, 11, 2, 30, tzinfo=UTC)


def test_remote_user_and_escaped_quotes_are_handled() -> None:
    line = (
        b'198.51.100.9 - jdoe [10/Mar/2024:14:00:00 +0000] "GET /a HTTP/1.1" 200 1 '
        b'"-" "Agent \\"quoted\\" (Windows NT 10.0)"\n'
    )
    hit = parse_line(line, file="f", line=1, site=SITE)
    assert isinstance(hit, Hit)
    assert hit.user_agent == 'Agent "quoted" (Windows NT 10.0)'
    assert "jdoe" not in repr(hit)


def test_combined_gpc_format_reads_the_trailing_field() -> None:
    base = (
        b'203.0.113.9 - - [10/Mar/2024:14:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "UA"'
    )
    on = parse_line(base + b' "1"\n', file="f", line=1, site=SITE, fmt="combined_gpc")
    off = parse_line(base + b' "-"\n', file="f", line=2, site=SITE, fmt="combined_gpc")
    missing = parse_line(base + b"\n", file="f", line=3, site=SITE, fmt="combined_gpc")
    strict = parse_line(base + b' "1"\n', file="f", line=4, site=SITE, fmt="combined")
    assert isinstance(on, Hit) and on.gpc
    assert isinstance(off, Hit) and not off.gpc
    assert isinstance(missing, Rejection) and missing.reason == Reason.MISSING_GPC
    assert isinstance(strict, Rejection) and strict.reason == Reason.MALFORMED


def test_json_lines_accept_documented_field_names() -> None:
    lines = [
        {
            "time_iso8601": "2024-03-10T15:00:00+01:00",
            "remote_addr": "2001:db8:9::4",
            "request": "GET /pricing?utm_source=x HTTP/1.1",
            "status": "200",
            "http_referer": "https://www.google.com/",
            "http_user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3) Mobile",
            "http_sec_gpc": "1",
            "host": "Shop.Example.com",
        },
        {"msec": 1710082800.25, "ip": "192.0.2.5", "method": "GET", "uri": "/x"},
        {"time": "2024-03-10T15:00:00", "remote_addr": "192.0.2.5", "uri": "/"},
        {"remote_addr": "192.0.2.5", "uri": "/"},
        ["not", "an", "object"],
    ]
    text = "\n".join(json.dumps(obj) for obj in lines).encode() + b"\n{broken\n"
    records = list(read_log(io.BytesIO(text), site=SITE, name="j.jsonl"))
    first, second = records[0], records[1]
    assert isinstance(first, Hit) and isinstance(second, Hit)
    assert first.site == "shop.example.com" and first.gpc and first.status == 200
    assert first.time == datetime(2024, 3, 10, 14, 0, tzinfo=UTC)
    assert second.site == SITE and second.target == "/x" and second.status is None
    rejected = [r for r in records[2:] if isinstance(r, Rejection)]
    assert len(rejected) == len(records) - 2
    assert [(r.line, r.reason, r.field) for r in rejected] == [
        (3, Reason.BAD_TIME, "time"),
        (4, Reason.MISSING_FIELD, "time"),
        (5, Reason.BAD_JSON, None),
        (6, Reason.BAD_JSON, None),
    ]


def test_oversized_line_without_line_end_is_skipped_in_bounded_reads() -> None:
    good = (
        b'192.0.2.1 - - [10/Mar/2024:14:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "UA"\n'
    )
    data = good + b"x" * 100_000 + b"\n" + good
    records = list(read_log(io.BytesIO(data), site=SITE))
    assert [type(r).__name__ for r in records] == ["Hit", "Rejection", "Hit"]
    assert records[1].line == 2 and records[2].line == 3


def test_unknown_format_is_an_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        list(read_log(io.BytesIO(b""), site=SITE, fmt="w3c"))  # type: ignore[arg-type]


def test_rejection_converts_to_the_project_error() -> None:
    error = Rejection("access.log", 7, Reason.BAD_TIME, "time_local").to_error()
    assert str(error) == "access.log:7 [time_local]: " + Reason.BAD_TIME
