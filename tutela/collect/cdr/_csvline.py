"""Splitting one CDR line into fields, the way the switches write them.

Policy clause ``collect.service_use.call_records``: a line is split exactly or
reported as broken; nothing is guessed. Asterisk (cdr_csv, CSV_QUOTE) wraps text
in double quotes and doubles embedded quotes; numbers and never-set times may be
bare. A line is one record: neither switch escapes line breaks, so a quote left
open at the end of a line is an error, and the next line starts afresh.

`FastSplitter` is the common case: a line that `WELL_FORMED` proves has no
quoting error is split by the C `csv` module, which gives exactly the fields
`split_line` would. Any other line goes to `split_line`, which names the error.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import Final

# One field: quoted (doubled quotes inside) or bare (no quote, comma or CR).
_FIELD: Final = r'(?:"[^"]*+(?:""[^"]*+)*+"|[^",\r]*+)'
WELL_FORMED: Final = re.compile(f"{_FIELD}(?:,{_FIELD})*+")
# Below csv.field_size_limit() (131072), so the csv module never refuses a field.
FAST_MAX_CHARS: Final = 100_000


@dataclass(frozen=True, slots=True)
class SplitLine:
    fields: list[str]
    error: str | None = None
    # True when the last field was closed by a quote: proof it was written whole.
    closed_by_quote: bool = False


def split_line(text: str, *, lenient_quotes: bool = False) -> SplitLine:
    """Split ``text`` on commas, honouring double quotes.

    With ``lenient_quotes`` (FreeSWITCH templates do not escape quotes), a quote
    inside a quoted field that is not followed by a comma or the line end is kept
    as text instead of being an error.
    """
    fields: list[str] = []
    n = len(text)
    i = 0
    while True:
        if i < n and text[i] == '"':
            parts: list[str] = []
            j = i + 1
            while True:
                k = text.find('"', j)
                if k == -1:
                    parts.append(text[j:])
                    fields.append("".join(parts))
                    return SplitLine(
                        fields, f"unterminated quote in field {len(fields)}"
                    )
                parts.append(text[j:k])
                if k + 1 < n and text[k + 1] == '"':
                    parts.append('"')
                    j = k + 2
                elif k + 1 == n or text[k + 1] == ",":
                    break
                elif lenient_quotes:
                    parts.append('"')
                    j = k + 1
                else:
                    fields.append("".join(parts))
                    return SplitLine(
                        fields, f"text after closing quote in field {len(fields)}"
                    )
            fields.append("".join(parts))
            if k + 1 == n:
                return SplitLine(fields, closed_by_quote=True)
            i = k + 2
        else:
            k = text.find(",", i)
            value = text[i:] if k == -1 else text[i:k]
            fields.append(value)
            if '"' in value and not lenient_quotes:
                return SplitLine(fields, f"stray quote in unquoted field {len(fields)}")
            if k == -1:
                return SplitLine(fields)
            i = k + 1
        if i == n:
            fields.append("")
            return SplitLine(fields)


class FastSplitter:
    """Split well-formed lines with the ``csv`` module; None for any other line.

    A line matching `WELL_FORMED` has every quote either opening a field,
    doubled inside one, or closing one before a comma or the line end, and no
    CR outside quotes. For such a line ``csv`` (default dialect) and
    `split_line` (strict or lenient) give the same fields, with no error, and
    the last field was closed by a quote exactly when the line ends with one.
    One reader is fed one line at a time, so a line can never run into the next.
    """

    def __init__(self) -> None:
        self._slot: list[str] = []
        self._reader = csv.reader(iter(self._slot.pop, None))

    def __call__(self, text: str) -> list[str] | None:
        if len(text) > FAST_MAX_CHARS or WELL_FORMED.fullmatch(text) is None:
            return None
        self._slot.append(text)
        return next(self._reader)
