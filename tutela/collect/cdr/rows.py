"""From a parsed CDR record to the values of a ``call_records`` row.

Policy clause ``collect.service_use.call_records``: "collects source,
destination, and duration information for every phone call". The ingest
turns each parsed record into the row it stores in two steps:

1. `prepare` (no database needed, so it can run in a parsing process): the
   values that do not depend on the owning account, or the reason the record
   cannot be stored.
2. `owned_values` (after the owner is known): the number columns, read in the
   owner's region, and the account id.

`tutela.collect.cdr._quick` gives step 1 straight from Asterisk rows;
`tutela.collect.cdr._chunks` runs it over a whole file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any, Final

from tutela.collect.accounts.numbers import normalize_number, split_callerid
from tutela.collect.cdr.records import CdrRecord, raw_bytes
from tutela.collect.quarantine import is_text, safe_text

# The largest value of an INTEGER column (PostgreSQL int4).
INT_MAX: Final = 2**31 - 1

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


BAD_ACCOUNTCODE: Final = (
    "accountcode is not valid UTF-8, so it names no account; fix the byte "
    "or clear the accountcode"
)


def bounded_key(key: str, limit: int) -> str:
    """A key that fits its column: long ones, and ones with bytes that are not
    UTF-8 (which no column can hold), are replaced by their digest."""
    if len(key) <= limit and is_text(key):
        return key
    return (
        "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
    )


def prepare(record: CdrRecord, stamp: Stamp | None) -> Prepared:
    """``record`` as the owner lookup and `owned_values` need it.

    ``stamp`` converts times to what the driver stores (SQLite: text; None
    keeps datetimes, for PostgreSQL). An accountcode that is not UTF-8 text
    could name no account: the record is refused (`BAD_ACCOUNTCODE`) rather
    than filed under a guessed one.
    """
    fixed = (
        fixed_values(record, stamp) if is_text(record.accountcode) else BAD_ACCOUNTCODE
    )
    return (
        record.line,
        record.accountcode,
        fixed,
        record.src_raw,
        record.dst_raw,
        record.dedupe_key,
    )


def fixed_values(record: CdrRecord, stamp: Stamp | None) -> Fixed | str:
    """The stored values that need no owner, or why the record cannot be stored."""
    checked = checked_text(
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
    answer = record.answer
    return owner_free(
        dedupe_key=record.dedupe_key,
        source_format=record.source_format,
        src=src,
        dst=dst,
        clid=record.clid_raw,
        started=record.start if stamp is None else stamp(record.start),
        answered=answer if stamp is None or answer is None else stamp(answer),
        ended=record.end if stamp is None else stamp(record.end),
        duration_s=record.duration_s,
        billsec_s=record.billsec_s,
        disposition=record.disposition,
        uniqueid=uniqueid,
        linkedid=linkedid,
        sequence=record.sequence,
        call_key=record.call_key,
    )


def owner_free(
    *,
    dedupe_key: str,
    source_format: str,
    src: str,
    dst: str,
    clid: str,
    started: Any,
    answered: Any,
    ended: Any,
    duration_s: int,
    billsec_s: int,
    disposition: str,
    uniqueid: str | None,
    linkedid: str | None,
    sequence: int | None,
    call_key: str,
) -> Fixed:
    """The `Fixed` values from checked text (`checked_text`) and stored times."""
    name = split_callerid(clid)[0] if clid else ""
    return (
        (bounded_key(dedupe_key, 128), source_format, src),
        dst,
        (
            safe_text(name)[:200] or None,
            raw_bytes(clid) if clid else None,
            started,
            answered,
            ended,
            duration_s,
            billsec_s,
            disposition,
            uniqueid or None,
            linkedid or None,
            sequence,
            bounded_key(safe_text(call_key), 150),
        ),
    )


def checked_text(
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
    if not 0 <= duration_s <= INT_MAX:
        return "duration is out of range"
    if not 0 <= billsec_s <= INT_MAX:
        return "billsec is out of range"
    if not 0 <= (sequence or 0) <= INT_MAX:
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
