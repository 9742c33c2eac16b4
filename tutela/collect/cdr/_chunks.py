"""A CDR file as chunks of prepared records: what the ingest stores, in order.

Policy clause ``collect.service_use.call_records``: every record of the file
comes out, prepared (`tutela.collect.cdr.rows.prepare`) or as its parser
rejection, in file order. The single-process ingest runs `chunks_of`
in-process; the two-process one runs it in a child
(`tutela.collect.cdr.pipeline`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from tutela.collect.cdr import asterisk_csv
from tutela.collect.cdr._fields import resolve_tz
from tutela.collect.cdr._quick import quick_asterisk
from tutela.collect.cdr.formats import parse
from tutela.collect.cdr.records import Rejection
from tutela.collect.cdr.rows import Prepared, prepare, sqlite_stamp


def prepared_items(
    fh: IO[bytes],
    *,
    format: str,
    source_name: str,
    tz: str,
    sqlite: bool,
) -> Iterator[Prepared | Rejection]:
    """Every record of the file `prepare` d, or its parser rejection, in order.

    Raises what the parser raises (`InvalidInput` for an unusable file).
    """
    stamp = sqlite_stamp if sqlite else None
    zone = resolve_tz(tz)
    if format == asterisk_csv.FORMAT and zone is dt.UTC:

        def build(fields: list[str], names: tuple[str, ...], line: int) -> Prepared:
            quick = quick_asterisk(fields, names, line, sqlite)
            if quick is not None:
                return quick
            record = asterisk_csv.build_record(fields, names, line, zone)
            return prepare(record, stamp)

        return asterisk_csv.parse_rows(fh, source_name=source_name, build=build)
    return (
        item if isinstance(item, Rejection) else prepare(item, stamp)
        for item in parse(fh, format=format, source_name=source_name, tz=zone)
    )


@dataclass(slots=True)
class Chunk:
    """Up to ``chunk_rows`` prepared records and the rejections among them.

    ``full`` is True when the records fill a chunk; ``position`` is how many
    bytes of the file were read by then (for progress).
    """

    rejections: list[Rejection]
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
    rejections: list[Rejection] = []
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
            if isinstance(item, Rejection):
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
