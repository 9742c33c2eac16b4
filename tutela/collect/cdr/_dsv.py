"""The line loop shared by the delimiter-separated CDR formats.

Policy clause ``collect.service_use.call_records``: every non-blank line yields a
record or a rejection. The file's layout is fixed by the first line that is
recognisably the format (a known field count, times and numbers in place), and
the gate in `_source` refuses a file in which no line is recognisable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

from tutela.collect.cdr._csvline import FastSplitter, split_line
from tutela.collect.cdr._fields import DECIMAL_RE, RowError, looks_like_stamp
from tutela.collect.cdr._source import Source, gate, opened, physical_lines, reject
from tutela.collect.cdr.records import Rejection

T = TypeVar("T")
# Builds what a row becomes from its fields, the layout's column names and its
# line number; raises `RowError` for a row that cannot be used. The parsers
# build a `CdrRecord`; the ingest can build its stored values directly.
Builder = Callable[[list[str], tuple[str, ...], int], T]


def row_dict(fields: list[str], names: tuple[str, ...]) -> dict[str, str]:
    """A row's fields keyed by the layout's column names."""
    return dict(zip(names, fields, strict=True))


def parse_dsv(
    source: Source,
    *,
    source_name: str,
    fmt: str,
    layouts: Mapping[int, tuple[str, ...]],
    build: Builder[T],
    lenient_quotes: bool = False,
) -> Iterator[T | Rejection]:
    """Parse lazily; see the module docstring for how lines are recognised."""
    return gate(
        _items(source, source_name, fmt, layouts, build, lenient_quotes),
        source_name=source_name,
        fmt=fmt,
    )


def _items(
    source: Source,
    source_name: str,
    fmt: str,
    layouts: Mapping[int, tuple[str, ...]],
    build: Builder[T],
    lenient_quotes: bool,
) -> Iterator[tuple[bool, T | Rejection]]:
    counts = ", ".join(str(n) for n in sorted(layouts))
    layout: int | None = None
    fast_split = FastSplitter()
    with opened(source) as fh:
        for pl in physical_lines(fh):
            text = pl.text
            if not text or text.isspace():
                continue
            if pl.overlong or "\x00" in text:
                why = "line too long" if pl.overlong else "binary data (NUL byte)"
                yield False, reject(source_name, pl.number, why, text)
                continue
            fields = fast_split(text)
            if fields is not None:
                error: str | None = None
                closed_by_quote = text.endswith('"')
            else:
                split = split_line(text, lenient_quotes=lenient_quotes)
                fields, error = split.fields, split.error
                closed_by_quote = split.closed_by_quote
            count = len(fields)
            names = layouts.get(count)
            # Once the layout is fixed the gate has released, and whether a
            # line is recognised no longer matters: skip the shape check.
            recognised = layout is not None or (
                names is not None and _shaped(row_dict(fields, names))
            )
            if recognised and layout is None:
                layout = count
            reason: str | None = None
            if error:
                reason = error
            elif names is None:
                reason = f"{count} fields; {fmt} rows have {counts}"
            elif layout is not None and count != layout:
                reason = f"{count} fields where this file's rows have {layout}"
            elif not pl.terminated and not closed_by_quote:
                reason = "last line has no line end (file may be still being written)"
            if reason is not None:
                yield recognised, reject(source_name, pl.number, reason, text)
                continue
            assert names is not None
            try:
                record = build(fields, names, pl.number)
            except RowError as err:
                yield (
                    recognised,
                    reject(source_name, pl.number, err.reason, text, err.field),
                )
                continue
            yield True, record


def _shaped(row: dict[str, str]) -> bool:
    """Whether a row has the format's shape: times where times go, numbers too.

    Values are only checked for form here (a month 13 still has the shape); a
    shaped row that fails validation is a rejection, not a sign of a wrong format.
    """
    times = (row.get("start", ""), row.get("end", ""))
    numbers = (row.get("duration", "0"), row.get("billsec", "0"))
    answer = row.get("answer", "")
    return (
        all(looks_like_stamp(t) for t in times)
        and (not answer or looks_like_stamp(answer))
        and all(DECIMAL_RE.fullmatch(n) for n in numbers)
    )
