"""The quick way from an Asterisk CSV row to its stored values (`prepare`'s result).

Policy clause ``collect.service_use.call_records``. For ``asterisk-csv`` in
UTC, the common case and millions of rows, `quick_asterisk` builds each
row's values straight from the split fields, without the `CdrRecord` and the
datetimes in between. It declines any row it is not sure about, which then
goes the careful way (the parser's `CdrRecord`, then `prepare`), so that the
careful way names the reason. Both give equal values:
tests/collect/cdr/test_rows.py checks it on every sample and on mutated rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from operator import itemgetter
from typing import Any, Final

from tutela.collect.cdr import asterisk_csv
from tutela.collect.cdr._asterisk import AMAFLAGS, hashed_key
from tutela.collect.cdr.records import DISPOSITIONS
from tutela.collect.cdr.rows import INT_MAX, Prepared, checked_text, owner_free

_DISPOSITIONS: Final = DISPOSITIONS
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
    if not accountcode.isascii():
        return None  # the careful way checks it is text (`prepare`)
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
    ):  # what `checked_text` gives for ASCII values
        if len(src_raw) > 80 or len(dst_raw) > 80:
            return None
        if len(uniqueid_text) > 150 or len(linkedid_text) > 150:
            return None
        if duration_s > INT_MAX or billsec_s > INT_MAX or (sequence or 0) > INT_MAX:
            return None
        src, dst, uid, lid = src_raw, dst_raw, uniqueid, linkedid
    else:
        checked = checked_text(
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
    if sqlite:
        # What `sqlite_stamp` gives for a whole-second UTC time.
        started: Any = start_text + ".000000"
        answered: Any = answer_text + ".000000" if answer_text else None
        ended: Any = end_text + ".000000"
    else:
        started, answered, ended = start, answer, end
    fixed = owner_free(
        dedupe_key=dedupe_key,
        source_format=asterisk_csv.FORMAT,
        src=src,
        dst=dst,
        clid=clid,
        started=started,
        answered=answered,
        ended=ended,
        duration_s=duration_s,
        billsec_s=billsec_s,
        disposition=disposition,
        uniqueid=uid,
        linkedid=lid,
        sequence=sequence,
        call_key=linkedid or uniqueid or dedupe_key,
    )
    return (line, accountcode, fixed, src_raw, dst_raw, dedupe_key)
