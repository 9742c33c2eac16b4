"""Call detail record parsers: Asterisk and FreeSWITCH CDR files to `CdrRecord`.

Policy clause ``collect.service_use.call_records``: "collects source, destination,
and duration information for every phone call". Each parser reads lazily, in
bounded memory, and yields a `CdrRecord` or a `Rejection` for every input record;
see docs/collect-cdr.md.

This module only gathers the package's names: its modules import each other
(`formats`, `records`, ...), never the package, so importing it runs no
module twice and needs no import placed late.
"""

from __future__ import annotations

from tutela.collect.cdr._source import Source
from tutela.collect.cdr.formats import FORMATS, PARSERS, parse
from tutela.collect.cdr.ingest import CHUNK_ROWS, find_owner, ingest_cdr
from tutela.collect.cdr.records import (
    DISPOSITIONS,
    CdrItem,
    CdrRecord,
    Rejection,
    group_calls,
    iter_calls,
    raw_bytes,
)

__all__ = [
    "CHUNK_ROWS",
    "CdrItem",
    "CdrRecord",
    "DISPOSITIONS",
    "FORMATS",
    "PARSERS",
    "Rejection",
    "Source",
    "find_owner",
    "group_calls",
    "ingest_cdr",
    "iter_calls",
    "parse",
    "raw_bytes",
]
