"""Fuzz targets: every parser, fed arbitrary bytes, keeps its contract.

The contract (docs/telephony.md, docs/web.md, docs/policy.md): a parser
yields records and rejections, or refuses the whole input with
`InvalidInput`; it never raises anything else, and a record it yields is
storable: every text value is UTF-8 and fits its column, every number fits
its column. Breaking that is what used to crash an ingest and lose the good
rows beside the bad one.

The same targets run under hypothesis in `make test`
(tests/fuzz/test_parsers.py) and under atheris, coverage-guided, in `make
fuzz` (tests/fuzz/atheris_main.py).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

from sqlalchemy import BigInteger, Integer, String, Table

from tutela.collect import cdr
from tutela.collect.cdr._chunks import chunks_of
from tutela.collect.cdr.rows import COLUMNS, owned_values
from tutela.collect.quarantine import is_text
from tutela.collect.voicemail import spool as voicemail_spool
from tutela.collect.weblog import (
    MAX_CLICKS,
    AdClick,
    ExportedClick,
    MemorySaltStore,
    Rejection,
    Visit,
    WebLogPipeline,
    read_click_export,
    read_log,
)
from tutela.collect.weblog.ingest import (
    _checked_hits,
    ad_click_row,
    visit_row,
)
from tutela.errors import InvalidInput
from tutela.policy.loader import DEFAULT_POLICY, parse_policy
from tutela.store.models import AdClick as AdClickRow
from tutela.store.models import AdClickTotal, CallRecord, Voicemail, WebVisit

Target = Callable[[bytes], int]
INT4: Final = 2**31 - 1
_WAV: Final = (
    b"RIFF\x28\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00"
    b"\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x04\x00\x00\x00\x00\x00\x00\x00"
)


def check_storable(table: Any, row: dict[str, Any]) -> None:
    """Every value of ``row`` fits its column of ``table`` (text, length, int4)."""
    columns = table.c if isinstance(table, Table) else table.__table__.c
    for name, value in row.items():
        kind = columns[name].type
        if isinstance(value, str):
            assert is_text(value), f"{name} is not UTF-8 text"
            length = getattr(kind, "length", None)
            assert length is None or len(value) <= length, f"{name} is too long"
        elif isinstance(value, int) and not isinstance(value, bool):
            if isinstance(kind, Integer) and not isinstance(kind, BigInteger):
                assert -INT4 - 1 <= value <= INT4, f"{name} overflows int4"
        elif isinstance(kind, String):
            assert value is None, f"{name} is not text"


def check_refusal(exc: InvalidInput) -> None:
    assert exc.message and is_text(exc.message)


def check_rejection(rejection: Any) -> None:
    assert rejection.reason and is_text(rejection.reason)


def cdr_target(format: str) -> Target:
    """One CDR format, as the ingest reads it (SQLite and PostgreSQL shapes)."""

    def run(data: bytes) -> int:
        produced = 0
        for sqlite, tz in ((True, "UTC"), (False, "America/New_York")):
            try:
                for chunk in chunks_of(
                    io.BytesIO(data),
                    format=format,
                    source_name="fuzz",
                    tz=tz,
                    sqlite=sqlite,
                    chunk_rows=64,
                ):
                    for rejection in chunk.rejections:
                        check_rejection(rejection)
                    for prepared in chunk.records:
                        _check_prepared(prepared)
                    produced += len(chunk.rejections) + len(chunk.records)
            except InvalidInput as exc:
                check_refusal(exc)
        return produced

    return run


def _check_prepared(prepared: Any) -> None:
    line, accountcode, fixed, src_raw, dst_raw, _key = prepared
    assert line >= 1
    if isinstance(fixed, str):
        assert fixed and is_text(fixed)  # the reason it cannot be stored
        return
    assert is_text(accountcode), "an accountcode that is not text reached the store"
    values = owned_values(fixed, src_raw, dst_raw, 1, "US", "now")
    check_storable(CallRecord, dict(zip(COLUMNS, values, strict=False)))


def voicemail_target() -> Target:
    """A msgNNNN.txt of arbitrary bytes beside a WAV, walked as a spool."""
    root = Path(tempfile.mkdtemp(prefix="tutela-fuzz-vm-"))
    box = root / "ACME" / "1001" / "INBOX"
    box.mkdir(parents=True)
    (box / "msg0000.wav").write_bytes(_WAV)

    def run(data: bytes) -> int:
        (box / "msg0000.txt").write_bytes(data)
        items = list(voicemail_spool.parse(root))
        for item in items:
            if isinstance(item, voicemail_spool.VoicemailMessage):
                key_column = Voicemail.__table__.c["dedupe_key"].type
                assert is_text(item.dedupe_key)
                assert len(item.dedupe_key) <= getattr(key_column, "length", 0)
                assert 0 <= item.duration_s
            else:
                check_rejection(item)
        return len(items)

    return run


def weblog_target(fmt: str) -> Target:
    """An access log (plain or gzip) through the reader and the visit pipeline."""

    def run(data: bytes) -> int:
        try:
            hits = read_log(io.BytesIO(data), site="fuzz.example", fmt=fmt)  # type: ignore[arg-type]
            pipeline = WebLogPipeline(MemorySaltStore())
            out = list(pipeline.process(_checked_hits(hits, "fuzz.example")))
        except InvalidInput as exc:
            check_refusal(exc)
            return 0
        for record in out:
            if isinstance(record, Visit):
                check_storable(WebVisit, visit_row(record))
            elif isinstance(record, AdClick):
                check_storable(AdClickRow, ad_click_row(record))
            else:
                assert isinstance(record, Rejection)
                check_rejection(record)
        return len(out)

    return run


def click_export_target() -> Target:
    """An ad-service click export (CSV, UTF-8 or UTF-16, plain or gzip)."""

    def run(data: bytes) -> int:
        items = list(read_click_export(io.BytesIO(data), name="fuzz"))
        for item in items:
            if isinstance(item, ExportedClick):
                assert 0 <= item.clicks <= MAX_CLICKS
                for text in (item.campaign, item.ad_group, item.ad_id, item.term):
                    assert text is None or is_text(text)
                landing = AdClickTotal.__table__.c["landing_page"].type
                assert item.landing_path is None or len(item.landing_path) <= getattr(
                    landing, "length", 0
                )
            else:
                check_rejection(item)
        return len(items)

    return run


def policy_target() -> Target:
    """A policy file: a `Policy`, or `PolicyInvalid` saying where and why."""

    def run(data: bytes) -> int:
        try:
            parse_policy(data, source="fuzz.yaml")
        except InvalidInput as exc:
            check_refusal(exc)
        return 1

    return run


TARGETS: Final[dict[str, Target]] = {
    **{f"cdr-{f}": cdr_target(f) for f in cdr.FORMATS},
    "voicemail-metadata": voicemail_target(),
    **{f"weblog-{f}": weblog_target(f) for f in ("auto", "jsonl", "combined_gpc")},
    "click-export": click_export_target(),
    "policy": policy_target(),
}


def seeds(name: str) -> Iterable[bytes]:
    """Real inputs of the target's format, to start from."""
    from tests.samples import TELEPHONY

    here = Path(__file__).resolve().parents[1]
    data, web = here / "collect" / "data", here / "collect" / "web_data"
    found: dict[str, list[Path]] = {
        "cdr-asterisk-csv": [*data.glob("asterisk_csv_*.csv")]
        + sorted((TELEPHONY / "asterisk_cdr_csv").glob("*.csv")),
        "cdr-asterisk-custom": [data / "asterisk_custom_master.csv"],
        "cdr-freeswitch-csv": [data / "freeswitch_example.csv"],
        "cdr-freeswitch-json": [
            data / "freeswitch_cdrs.jsonl",
            data / "freeswitch_encoded.json",
        ],
        "voicemail-metadata": sorted((TELEPHONY / "asterisk_voicemail").glob("*.txt")),
        "weblog-auto": [web / "access.log", web / "access_gpc.log"],
        "weblog-jsonl": [web / "access.log"],
        "weblog-combined_gpc": [web / "access_gpc.log"],
        "click-export": [web / "google_ads_clicks.csv"],
        "policy": [DEFAULT_POLICY],
    }
    for path in sorted(found[name]):
        yield path.read_bytes()
    if name == "weblog-jsonl":
        yield (
            b'{"remote_addr": "203.0.113.9", "time_iso8601": "2024-03-01T10:00:00'
            b'+00:00", "request": "GET /pricing?utm_source=google&utm_medium=cpc '
            b'HTTP/1.1", "status": 200, "http_user_agent": "Mozilla/5.0"}\n'
        )
