"""Turning one split Asterisk CDR row (cdr_csv or cdr_custom) into a `CdrRecord`.

Policy clause ``collect.service_use.call_records``: source (``src``), destination
(``dst``) and duration are kept exactly as Asterisk wrote them, and a row whose
times, durations or disposition make no sense is rejected, field named.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Final

from tutela.collect.cdr._fields import (
    INT_RE,
    RowError,
    choose_times,
    iso,
    seconds,
    stamp_instants,
)
from tutela.collect.cdr.records import (
    DISPOSITIONS,
    CdrRecord,
    dedupe_key_for,
    new_record,
)

# ast_channel_amaflags2string() writes these; "Unknown" for an unset flag.
AMAFLAGS: Final = frozenset({"DOCUMENTATION", "BILLING", "OMIT", "DEFAULT", "Unknown"})
# Text fields hashed into a ``sha256:`` dedupe key, as read.
_KEYED: Final = (
    "accountcode src dst dcontext clid channel dstchannel lastapp lastdata "
    "amaflags userfield peeraccount linkedid"
).split()


def build(
    row: dict[str, str],
    *,
    source_format: str,
    line: int,
    tz: tzinfo,
    fractional_seconds: bool = False,
) -> CdrRecord:
    """Validate and convert a row keyed by Asterisk CDR variable names."""
    duration_s = seconds(row["duration"], "duration", fractional=fractional_seconds)
    billsec_s = seconds(row["billsec"], "billsec", fractional=fractional_seconds)
    start_text, answer_text, end_text = row["start"], row["answer"], row["end"]
    if not start_text:
        raise RowError("start is empty", "start")
    if not end_text:
        raise RowError("end is empty", "end")
    starts = stamp_instants(start_text, "start", tz)
    ends = stamp_instants(end_text, "end", tz)
    answers = stamp_instants(answer_text, "answer", tz) if answer_text else None
    start, answer, end = choose_times(starts, answers, ends, duration_s, billsec_s)
    disposition = row["disposition"]
    if disposition not in DISPOSITIONS:
        raise RowError("disposition is not a known Asterisk disposition", "disposition")
    amaflags = row["amaflags"]
    if amaflags not in AMAFLAGS:
        raise RowError("amaflags is not a known Asterisk AMA flag", "amaflags")
    sequence: int | None = None
    sequence_text = row.get("sequence")
    if sequence_text:
        if INT_RE.fullmatch(sequence_text) is None:
            raise RowError("sequence is not an integer", "sequence")
        sequence = int(sequence_text)
    uniqueid = row.get("uniqueid") or None
    if uniqueid and sequence is not None:
        dedupe_key = f"ast:{uniqueid}:{sequence}"  # what dedupe_key_for gives
    else:
        dedupe_key = hashed_key(
            row, start, answer, end, duration_s, billsec_s, uniqueid, sequence
        )
    return new_record(
        source_format,
        line,
        row["accountcode"],
        row["src"],
        row["dst"],
        row["clid"],
        row["dcontext"],
        row["channel"],
        row["dstchannel"],
        row["lastapp"],
        row["lastdata"],
        start,
        answer,
        end,
        duration_s,
        billsec_s,
        disposition,
        amaflags,
        uniqueid,
        row.get("userfield"),
        row.get("linkedid") or None,
        row.get("peeraccount"),
        sequence,
        dedupe_key,
    )


def hashed_key(
    row: dict[str, str],
    start: datetime,
    answer: datetime | None,
    end: datetime,
    duration_s: int,
    billsec_s: int,
    uniqueid: str | None,
    sequence: int | None,
) -> str:
    """The ``sha256:`` dedupe key of a row that has no uniqueid and sequence."""
    fields: dict[str, str | int | None] = {name: row.get(name) for name in _KEYED}
    fields.update(
        start=iso(start),
        answer=iso(answer),
        end=iso(end),
        duration=duration_s,
        billsec=billsec_s,
        disposition=row["disposition"],
        uniqueid=uniqueid,
        sequence=sequence,
    )
    return dedupe_key_for(
        family="asterisk", fields=fields, uniqueid=uniqueid, sequence=sequence
    )
