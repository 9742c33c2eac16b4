"""Parser for FreeSWITCH mod_cdr_csv, "example" template (``freeswitch-csv``).

Policy clause ``collect.service_use.call_records``: reads the source, destination
and duration of every call leg FreeSWITCH logged.

The template (conf/vanilla/autoload_configs/cdr_csv.conf.xml) quotes 15 values:
caller_id_name, caller_id_number, destination_number, context, start_stamp,
answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid,
accountcode, read_codec, write_codec. Stamps are local "YYYY-MM-DD HH:MM:SS"
(read in ``tz``); answer_stamp is empty for a leg never answered. The template
does not escape quotes, so a quote inside a value that is not followed by a comma
or the line end is kept as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from typing import Final

from tutela.collect.cdr import _freeswitch
from tutela.collect.cdr._dsv import parse_dsv, row_dict
from tutela.collect.cdr._fields import RowError, local_stamp, resolve_tz
from tutela.collect.cdr._source import Source
from tutela.collect.cdr.records import CdrItem, CdrRecord

FORMAT: Final = "freeswitch-csv"

COLUMNS: Final = tuple(
    (
        "caller_id_name caller_id_number destination_number context start "
        "answer end duration billsec hangup_cause uuid bleg_uuid accountcode "
        "read_codec write_codec"
    ).split()
)


def parse(
    stream_or_path: Source, *, source_name: str, tz: str | tzinfo = "UTC"
) -> Iterator[CdrItem]:
    """Yield a `CdrRecord` or `Rejection` per non-blank line, lazily.

    Raises `tutela.errors.InvalidInput` if no line is recognisably this template.
    """
    zone = resolve_tz(tz)

    def build(fields: list[str], names: tuple[str, ...], line: int) -> CdrRecord:
        row = row_dict(fields, names)
        if not row["end"]:
            raise RowError("end_stamp is empty", "end_stamp")
        answers = (
            local_stamp(row["answer"], "answer_stamp", zone) if row["answer"] else None
        )
        return _freeswitch.build(
            row,
            source_format=FORMAT,
            line=line,
            starts=local_stamp(row["start"], "start_stamp", zone),
            answers=answers,
            ends=local_stamp(row["end"], "end_stamp", zone),
        )

    return parse_dsv(
        stream_or_path,
        source_name=source_name,
        fmt=FORMAT,
        layouts={len(COLUMNS): COLUMNS},
        build=build,
        lenient_quotes=True,
    )
