"""Splitting one CDR line into fields, the way the switches write them.

Policy clause ``collect.service_use.call_records``: a line is split exactly or
reported as broken; nothing is guessed. Asterisk (cdr_csv, CSV_QUOTE) wraps text
in double quotes and doubles embedded quotes; numbers and never-set times may be
bare. A line is one record: neither switch escapes line breaks, so a quote left
open at the end of a line is an error, and the next line starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass


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
