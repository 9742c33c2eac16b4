"""Parser for Asterisk cdr_custom default legacy mapping (``asterisk-custom``).

Policy clause ``collect.service_use.call_records``: reads the source, destination
and duration of every call Asterisk logged through cdr_custom.

The mapping is the one in ``configs/samples/cdr_custom.conf.sample``: every value
wrapped in ``CSV_QUOTE`` (numbers quoted too) in the order clid, src, dst,
dcontext, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
billsec, disposition, amaflags, accountcode, uniqueid, userfield, then an
unquoted ``sequence``. Older samples end at userfield: 18 and 19 fields are both
accepted. Durations may be fractional (the sample's ``CDR(duration,f)``
variant); fractions are cut to whole seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from typing import Final

from tutela.collect.cdr import _asterisk
from tutela.collect.cdr._dsv import parse_dsv, row_dict
from tutela.collect.cdr._fields import resolve_tz
from tutela.collect.cdr._source import Source
from tutela.collect.cdr.records import CdrItem, CdrRecord

FORMAT: Final = "asterisk-custom"

COLUMNS: Final = (
    "clid src dst dcontext channel dstchannel lastapp lastdata start answer end "
    "duration billsec disposition amaflags accountcode uniqueid userfield"
).split()
LAYOUTS: Final[dict[int, tuple[str, ...]]] = {
    18: tuple(COLUMNS),
    19: (*COLUMNS, "sequence"),
}


def parse(
    stream_or_path: Source, *, source_name: str, tz: str | tzinfo = "UTC"
) -> Iterator[CdrItem]:
    """Yield a `CdrRecord` or `Rejection` per non-blank line, lazily.

    Raises `tutela.errors.InvalidInput` if no line is recognisably this mapping.
    """
    zone = resolve_tz(tz)

    def build(fields: list[str], names: tuple[str, ...], line: int) -> CdrRecord:
        return _asterisk.build(
            row_dict(fields, names),
            source_format=FORMAT,
            line=line,
            tz=zone,
            fractional_seconds=True,
        )

    return parse_dsv(
        stream_or_path,
        source_name=source_name,
        fmt=FORMAT,
        layouts=LAYOUTS,
        build=build,
    )
