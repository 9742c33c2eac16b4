"""From CDR input to the values of a ``call_records`` row, owner aside.

Policy clause ``collect.service_use.call_records``: "collects source,
destination, and duration information for every phone call". The ingest
turns each parsed record into the row it stores in two steps:

1. `prepare` (no database needed, so it can run in a parsing process): the
   values that do not depend on the owning account, or the reason the record
   cannot be stored.
2. `owned_values` (after the owner is known): the number columns, read in the
   owner's region, and the account id.

`prepared_items` gives step 1 for a whole file. For ``asterisk-csv`` in UTC
(the common case, and millions of rows) it builds each row straight from the
split fields (`quick_asterisk`), without the `CdrRecord` and the datetimes in
between; any row it is not sure about goes the careful way, through the
parser's own `CdrRecord`. Both ways give equal values (tests/collect/
test_cdr_rows.py checks it on every sample and on mutated rows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import IO, Any, Final

from tutela.collect import cdr
from tutela.collect.cdr import asterisk_csv
from tutela.collect.cdr._asterisk import AMAFLAGS, hashed_key
from tutela.collect.cdr._fields import resolve_tz
from tutela.collect.numbers import normalize_number, split_callerid
from tutela.collect.quarantine import safe_text

_INT_MAX: Final = 2**31 - 1

# The stored columns, in the order `owned_values` gives them.
COLUMNS: Final = (
    "account_id",
    "dedupe_key",
    "source_format",
    "src_raw",
    "src_e164",
    "src_extension",
    "dst_raw",
    "dst_e164",
    "dst_extension",
    "caller_name",
    "clid_raw",
    "started_at",
    "answered_at",
    "ended_at",
    "duration_s",
    "billsec_s",
    "disposition",
    "uniqueid",
    "linkedid",
    "sequence",
    "call_key",
)

# A record's stored values that do not depend on its owner: the columns
# before src_e164, dst_raw, the columns after dst_extension.
Fixed = tuple[tuple[Any, ...], str, tuple[Any, ...]]

# One record ready for its owner: line, accountcode, the owner-free values or
# the reason the record cannot be stored, src_raw, dst_raw, dedupe_key. A
# plain tuple: it crosses a process boundary, and tuples pickle fastest.
Prepared = tuple[int, str, Fixed | str, str, str, str]

Stamp = Callable[[dt.datetime], str]


def sqlite_stamp(value: dt.datetime) -> str:
    """A UTC datetime as SQLAlchemy's SQLite ``DateTime`` stores it.

    ``YYYY-MM-DD HH:MM:SS.ffffff``: SQLAlchemy writes the datetime's own fields
    (the parsers give UTC datetimes only), which is what this gives, faster.
    """
    return value.isoformat(" ", "microseconds")[:26]


def bounded_key(key: str, limit: int) -> str:
    """A key that fits its column: long ones are replaced by their digest."""
    if len(key) <= limit:
        return key
    return (
        "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
    )


def prepare(record: cdr.CdrRecord, stamp: Stamp | None) -> Prepared:
    """``record`` as the owner lookup and `owned_values` need it.

    ``stamp`` converts times to what the driver stores (SQLite: text; None
    keeps datetimes, for PostgreSQL).
    """
    return (
        record.line,
        record.accountcode,
        fixed_values(record, stamp),
        record.src_raw,
        record.dst_raw,
        record.dedupe_key,
    )


def fixed_values(record: cdr.CdrRecord, stamp: Stamp | None) -> Fixed | str:
    """The stored values that need no owner, or why the record cannot be stored."""
    checked = _checked_text(
        record.src_raw,
        record.dst_raw,
        record.duration_s,
        record.billsec_s,
        record.sequence,
        record.uniqueid,
        record.linkedid,
    )
    if isinstance(checked, str):
        return checked
    src, dst, uniqueid, linkedid = checked
    clid = record.clid_raw
    name = split_callerid(clid)[0] if clid else ""
    answer = record.answer
    return (
        (bounded_key(record.dedupe_key, 128), record.source_format, src),
        dst,
        (
            safe_text(name)[:200] or None,
            cdr.raw_bytes(clid) if clid else None,
            record.start if stamp is None else stamp(record.start),
            answer if stamp is None or answer is None else stamp(answer),
            record.end if stamp is None else stamp(record.end),
            record.duration_s,
            record.billsec_s,
            record.disposition,
            uniqueid or None,
            linkedid or None,
            record.sequence,
            bounded_key(safe_text(record.call_key), 150),
        ),
    )


def _checked_text(
    src_raw: str,
    dst_raw: str,
    duration_s: int,
    billsec_s: int,
    sequence: int | None,
    uniqueid: str | None,
    linkedid: str | None,
) -> tuple[str, str, str | None, str | None] | str:
    """Values checked against their columns: storable text, or why not."""
    src, dst = safe_text(src_raw), safe_text(dst_raw)
    if len(src) > 80:
        return "src is longer than 80 characters"
    if len(dst) > 80:
        return "dst is longer than 80 characters"
    if not 0 <= duration_s <= _INT_MAX:
        return "duration is out of range"
    if not 0 <= billsec_s <= _INT_MAX:
        return "billsec is out of range"
    if not 0 <= (sequence or 0) <= _INT_MAX:
        return "sequence is out of range"
    uid = None if uniqueid is None else safe_text(uniqueid)
    lid = None if linkedid is None else safe_text(linkedid)
    if uid is not None and len(uid) > 150:
        return "uniqueid is longer than 150 characters"
    if lid is not None and len(lid) > 150:
        return "linkedid is longer than 150 characters"
    return src, dst, uid, lid


def owned_values(
    fixed: Fixed, src_raw: str, dst_raw: str, owner_id: int, region: str, *extra: Any
) -> tuple[Any, ...]:
    """The row in `COLUMNS` order (then ``extra``), numbers read in ``region``."""
    head, dst_text, tail = fixed
    src = normalize_number(src_raw, region)
    dst = normalize_number(dst_raw, region)
    return (
        owner_id,
        *head,
        src.e164,
        src.extension,
        dst_text,
        dst.e164,
        dst.extension,
        *tail,
        *extra,
    )


_DISPOSITIONS: Final = cdr.DISPOSITIONS
_UTC: Final = dt.UTC
_from_iso: Final = dt.datetime.fromisoformat
# start/answer/end: each an ASCII "YYYY-MM-DD HH:MM:SS" (answer may be
# empty), what `stamp_instants` reads without help in UTC.
_STAMP: Final = r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
_THREE_STAMPS: Final = re.compile(f"{_STAMP}/(?:{_STAMP})?/{_STAMP}").fullmatch


# The fields `quick_asterisk` reads, in its order.
_READ: Final = (
    "accountcode src dst clid start answer end duration billsec disposition "
    "amaflags uniqueid linkedid sequence"
).split()


@lru_cache(maxsize=16)
def _picker(names: tuple[str, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """Picks `_READ` from a layout's fields padded with one "" (absent columns)."""
    absent = len(names)
    return itemgetter(*(names.index(n) if n in names else absent for n in _READ))


def quick_asterisk(
    fields: list[str],
    names: tuple[str, ...],
    line: int,
    sqlite: bool,
) -> Prepared | None:
    """`prepare` of an ``asterisk-csv`` row read in UTC, or None when unsure.

    Gives exactly what ``prepare(asterisk_csv.build_record(...))`` gives for
    every row it accepts. It declines (None) any row the careful path would
    reject or treat specially (a bad time, count, disposition, AMA flag or
    sequence; text too long for its column), so that path names the reason.
    """
    (
        accountcode,
        src_raw,
        dst_raw,
        clid,
        start_text,
        answer_text,
        end_text,
        duration,
        billsec,
        disposition,
        amaflags,
        uniqueid_text,
        linkedid_text,
        sequence_text,
    ) = _picker(names)([*fields, ""])
    if not (duration.isascii() and duration.isdigit()):
        return None
    if not (billsec.isascii() and billsec.isdigit()):
        return None
    if disposition not in _DISPOSITIONS or amaflags not in AMAFLAGS:
        return None
    if _THREE_STAMPS(f"{start_text}/{answer_text}/{end_text}") is None:
        return None
    try:  # possible dates and times (no month 13, no second 60)
        start = _from_iso(start_text)
        end = _from_iso(end_text)
        answer = _from_iso(answer_text) if answer_text else None
    except ValueError:
        return None
    # Text of one fixed width orders as the times it spells.
    if end_text < start_text:
        return None
    if answer_text and not start_text <= answer_text <= end_text:
        return None
    sequence: int | None = None
    if sequence_text:
        if not (sequence_text.isascii() and sequence_text.isdigit()):
            return None
        sequence = int(sequence_text)
    duration_s, billsec_s = int(duration), int(billsec)
    uniqueid = uniqueid_text or None
    linkedid = linkedid_text or None
    if (
        src_raw.isascii()
        and dst_raw.isascii()
        and uniqueid_text.isascii()
        and linkedid_text.isascii()
    ):  # what `_checked_text` gives for ASCII values
        if len(src_raw) > 80 or len(dst_raw) > 80:
            return None
        if len(uniqueid_text) > 150 or len(linkedid_text) > 150:
            return None
        if duration_s > _INT_MAX or billsec_s > _INT_MAX or (sequence or 0) > _INT_MAX:
            return None
        src, dst, uid, lid = src_raw, dst_raw, uniqueid, linkedid
    else:
        checked = _checked_text(
            src_raw, dst_raw, duration_s, billsec_s, sequence, uniqueid, linkedid
        )
        if isinstance(checked, str):
            return None
        src, dst, uid, lid = checked
    if not sqlite or not (uniqueid and sequence is not None):
        start = start.replace(tzinfo=_UTC)
        end = end.replace(tzinfo=_UTC)
        answer = None if answer is None else answer.replace(tzinfo=_UTC)
    if uniqueid and sequence is not None:
        dedupe_key = f"ast:{uniqueid}:{sequence}"
    else:
        dedupe_key = hashed_key(
            dict(zip(names, fields, strict=True)),
            start,
            answer,
            end,
            duration_s,
            billsec_s,
            uniqueid,
            sequence,
        )
    name = split_callerid(clid)[0] if clid else ""
    if sqlite:
        # What `sqlite_stamp` gives for a whole-second UTC time.
        started: Any = start_text + ".000000"
        answered: Any = answer_text + ".000000" if answer_text else None
        ended: Any = end_text + ".000000"
    else:
        started, answered, ended = start, answer, end
    return (
        line,
        accountcode,
        (
            (bounded_key(dedupe_key, 128), asterisk_csv.FORMAT, src),
            dst,
            (
                safe_text(name)[:200] or None,
                cdr.raw_bytes(clid) if clid else None,
                started,
                answered,
                ended,
                duration_s,
                billsec_s,
                disposition,
                uid or None,
                lid or None,
                sequence,
                bounded_key(safe_text(linkedid or uniqueid or dedupe_key), 150),
            ),
        ),
        src_raw,
        dst_raw,
        dedupe_key,
    )


def prepared_items(
    fh: IO[bytes],
    *,
    format: str,
    source_name: str,
    tz: str,
    sqlite: bool,
) -> Iterator[Prepared | cdr.Rejection]:
    """Every record of the file `prepare` d, or its parser rejection, in order.

    Raises what the parser raises (`InvalidInput` for an unusable file).
    """
    stamp = sqlite_stamp if sqlite else None
    zone = resolve_tz(tz)
    if format == asterisk_csv.FORMAT and zone is _UTC:

        def build(fields: list[str], names: tuple[str, ...], line: int) -> Prepared:
            quick = quick_asterisk(fields, names, line, sqlite)
            if quick is not None:
                return quick
            record = asterisk_csv.build_record(fields, names, line, zone)
            return prepare(record, stamp)

        return asterisk_csv.parse_rows(fh, source_name=source_name, build=build)
    return (
        item if isinstance(item, cdr.Rejection) else prepare(item, stamp)
        for item in cdr.parse(fh, format=format, source_name=source_name, tz=zone)
    )


@dataclass(slots=True)
class Chunk:
    """Up to ``chunk_rows`` prepared records and the rejections among them.

    ``full`` is True when the records fill a chunk; ``position`` is how many
    bytes of the file were read by then (for progress).
    """

    rejections: list[cdr.Rejection]
    records: list[Prepared]
    full: bool
    position: int


def chunks_of(
    fh: IO[bytes],
    *,
    format: str,
    source_name: str,
    tz: str,
    sqlite: bool,
    chunk_rows: int,
) -> Iterator[Chunk]:
    """`prepared_items` in chunks, in file order; the last one is not ``full``.

    When the parser raises, the rejections found before are yielded first.
    """
    rejections: list[cdr.Rejection] = []
    records: list[Prepared] = []
    items = prepared_items(
        fh,
        format=format,
        source_name=source_name,
        tz=tz,
        sqlite=sqlite,
    )
    try:
        for item in items:
            if isinstance(item, cdr.Rejection):
                rejections.append(item)
                continue
            records.append(item)
            if len(records) >= chunk_rows:
                yield Chunk(rejections, records, True, fh.tell())
                rejections, records = [], []
    except Exception:
        if rejections:
            yield Chunk(rejections, [], False, 0)
        raise
    yield Chunk(rejections, records, False, fh.tell())
