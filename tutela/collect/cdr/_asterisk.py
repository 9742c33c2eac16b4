"""Turning one split Asterisk CDR row (cdr_csv or cdr_custom) into a `CdrRecord`.

Policy clause ``collect.service_use.call_records``: source (``src``), destination
(``dst``) and duration are kept exactly as Asterisk wrote them, and a row whose
times, durations or disposition make no sense is rejected, field named.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Final

from tutela.collect.cdr._fields import (
    INT_RE,
    RowError,
    choose_times,
    iso,
    local_stamp,
    seconds,
)
from tutela.collect.cdr.records import DISPOSITIONS, CdrRecord, dedupe_key_for

# ast_channel_amaflags2string() writes these; "Unknown" for an unset flag.
AMAFLAGS: Final = frozenset({"DOCUMENTATION", "BILLING", "OMIT", "DEFAULT", "Unknown"})


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
    if not row["start"]:
        raise RowError("start is empty", "start")
    if not row["end"]:
        raise RowError("end is empty", "end")
    starts = local_stamp(row["start"], "start", tz)
    ends = local_stamp(row["end"], "end", tz)
    answers = local_stamp(row["answer"], "answer", tz) if row["answer"] else None
    start, answer, end = choose_times(starts, answers, ends, duration_s, billsec_s)
    disposition = row["disposition"]
    if disposition not in DISPOSITIONS:
        raise RowError("disposition is not a known Asterisk disposition", "disposition")
    amaflags = row["amaflags"]
    if amaflags not in AMAFLAGS:
        raise RowError("amaflags is not a known Asterisk AMA flag", "amaflags")
    sequence: int | None = None
    if row.get("sequence"):
        if INT_RE.fullmatch(row["sequence"]) is None:
            raise RowError("sequence is not an integer", "sequence")
        sequence = int(row["sequence"])
    uniqueid = row.get("uniqueid") or None
    fields: dict[str, str | int | None] = {
        name: row.get(name)
        for name in (
            "accountcode src dst dcontext clid channel dstchannel lastapp lastdata "
            "amaflags userfield peeraccount linkedid"
        ).split()
    }
    fields.update(
        start=iso(start),
        answer=iso(answer),
        end=iso(end),
        duration=duration_s,
        billsec=billsec_s,
        disposition=disposition,
        uniqueid=uniqueid,
        sequence=sequence,
    )
    return CdrRecord(
        source_format=source_format,
        line=line,
        accountcode=row["accountcode"],
        src_raw=row["src"],
        dst_raw=row["dst"],
        clid_raw=row["clid"],
        dcontext=row["dcontext"],
        channel=row["channel"],
        dstchannel=row["dstchannel"],
        lastapp=row["lastapp"],
        lastdata=row["lastdata"],
        start=start,
        answer=answer,
        end=end,
        duration_s=duration_s,
        billsec_s=billsec_s,
        disposition=disposition,
        amaflags=amaflags,
        uniqueid=uniqueid,
        userfield=row.get("userfield"),
        linkedid=row.get("linkedid") or None,
        peeraccount=row.get("peeraccount"),
        sequence=sequence,
        dedupe_key=dedupe_key_for(
            family="asterisk", fields=fields, uniqueid=uniqueid, sequence=sequence
        ),
    )
