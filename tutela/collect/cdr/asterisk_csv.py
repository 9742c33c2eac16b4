"""Parser for Asterisk cdr_csv ``Master.csv`` (format name ``asterisk-csv``).

Policy clause ``collect.service_use.call_records``: reads the source, destination
and duration of every call Asterisk logged.

cdr_csv writes no header. Its columns (cdr/cdr_csv.c, ``build_csv_record``) are the
16 base fields, then ``uniqueid`` if ``loguniqueid``, ``userfield`` if
``loguserfield``, then ``peeraccount, linkedid, sequence`` if ``newcdrcolumns``.
The layout is detected per file from the field count: 16, 17 (+uniqueid), 18
(+uniqueid, userfield), 19 (+newcdrcolumns), 20 (+uniqueid, newcdrcolumns) and 21
(all). A 17- or 20-field file is read as having ``uniqueid``, not ``userfield``
(``loguniqueid`` alone is the common setting). Times carry no offset: they are
read in ``tz`` (``usegmtime=yes`` means UTC, the default here).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from typing import Final, TypeVar

from tutela.collect.cdr import _asterisk
from tutela.collect.cdr._dsv import Builder, parse_dsv, row_dict
from tutela.collect.cdr._fields import resolve_tz
from tutela.collect.cdr._source import Source
from tutela.collect.cdr.records import CdrItem, CdrRecord, Rejection

T = TypeVar("T")

FORMAT: Final = "asterisk-csv"

BASE: Final = (
    "accountcode src dst dcontext clid channel dstchannel lastapp lastdata "
    "start answer end duration billsec disposition amaflags"
).split()
NEW: Final = ["peeraccount", "linkedid", "sequence"]
LAYOUTS: Final[dict[int, tuple[str, ...]]] = {
    16: tuple(BASE),
    17: (*BASE, "uniqueid"),
    18: (*BASE, "uniqueid", "userfield"),
    19: (*BASE, *NEW),
    20: (*BASE, "uniqueid", *NEW),
    21: (*BASE, "uniqueid", "userfield", *NEW),
}


def parse(
    stream_or_path: Source, *, source_name: str, tz: str | tzinfo = "UTC"
) -> Iterator[CdrItem]:
    """Yield a `CdrRecord` or `Rejection` per non-blank line, lazily.

    Raises `tutela.errors.InvalidInput` if no line is recognisably cdr_csv.
    """
    zone = resolve_tz(tz)

    def build(fields: list[str], names: tuple[str, ...], line: int) -> CdrRecord:
        return build_record(fields, names, line, zone)

    return parse_rows(stream_or_path, source_name=source_name, build=build)


def build_record(
    fields: list[str], names: tuple[str, ...], line: int, tz: tzinfo
) -> CdrRecord:
    """The `CdrRecord` of one split row in a layout of `LAYOUTS`."""
    return _asterisk.build(
        row_dict(fields, names), source_format=FORMAT, line=line, tz=tz
    )


def parse_rows(
    stream_or_path: Source, *, source_name: str, build: Builder[T]
) -> Iterator[T | Rejection]:
    """`parse` with another row builder (the CDR ingest builds stored values).

    Lines are read, split, recognised and rejected exactly as `parse` does;
    ``build`` gets each usable row's fields, layout names and line number.
    """
    return parse_dsv(
        stream_or_path,
        source_name=source_name,
        fmt=FORMAT,
        layouts=LAYOUTS,
        build=build,
    )
