"""The CDR formats Tutela reads, and `parse`: a file in one of them to records.

Policy clause ``collect.service_use.call_records``: "collects source, destination,
and duration information for every phone call". Each format's parser reads
lazily, in bounded memory, and yields a `CdrRecord` or a `Rejection` for every
input record; see docs/collect-cdr.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import tzinfo
from typing import Final

from tutela.collect.cdr import (
    asterisk_csv,
    asterisk_custom,
    freeswitch_csv,
    freeswitch_json,
)
from tutela.collect.cdr._source import Source
from tutela.collect.cdr.records import CdrItem
from tutela.errors import InvalidInput

Parser = Callable[..., Iterator[CdrItem]]

PARSERS: Final[dict[str, Parser]] = {
    asterisk_csv.FORMAT: asterisk_csv.parse,
    asterisk_custom.FORMAT: asterisk_custom.parse,
    freeswitch_csv.FORMAT: freeswitch_csv.parse,
    freeswitch_json.FORMAT: freeswitch_json.parse,
}
FORMATS: Final = tuple(sorted(PARSERS))


def parse(
    stream_or_path: Source,
    *,
    format: str,
    source_name: str,
    tz: str | tzinfo = "UTC",
) -> Iterator[CdrItem]:
    """Parse with the parser for ``format`` (one of `FORMATS`)."""
    try:
        parser = PARSERS[format]
    except KeyError:
        raise InvalidInput("unknown CDR format", field="format") from None
    return parser(stream_or_path, source_name=source_name, tz=tz)


__all__ = ["FORMATS", "PARSERS", "Parser", "parse"]
