"""Checking and converting single CDR fields: times, zones, counts of seconds.

Policy clause ``collect.service_use.call_records``: a call's duration and times are
kept only when they make sense; otherwise the record is rejected with the field
named (never its value).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tutela.errors import InvalidInput

STAMP_RE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})")
INT_RE: Final = re.compile(r"[+-]?\d+")
DECIMAL_RE: Final = re.compile(r"[+-]?\d+(?:\.\d*)?")


class RowError(Exception):
    """One record is unusable: ``reason`` names the field, never its value."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def resolve_tz(tz: str | tzinfo) -> tzinfo:
    """Turn a zone name ("UTC", "Europe/Paris") into a tzinfo; refuse unknown ones."""
    if isinstance(tz, tzinfo):
        return tz
    if tz.upper() in {"UTC", "GMT", "Z"}:
        return UTC
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput("unknown time zone", field="tz") from exc


def looks_like_stamp(text: str) -> bool:
    return STAMP_RE.fullmatch(text) is not None


def local_stamp(text: str, field: str, tz: tzinfo) -> list[datetime]:
    """Parse "YYYY-MM-DD HH:MM:SS" in ``tz``; return the possible UTC instants.

    Two instants come back for a wall time repeated when clocks go back (fold 0
    first); a wall time skipped when clocks go forward is rejected.
    """
    return list(stamp_instants(text, field, tz))


def stamp_instants(text: str, field: str, tz: tzinfo) -> tuple[datetime, ...]:
    """`local_stamp`, as a tuple, fast for the common cases.

    An ASCII stamp in UTC is read by ``datetime.fromisoformat`` (C), which
    accepts exactly the values `datetime()` accepts; other zones are cached per
    distinct text. Anything unusual takes `_careful_instants`, which names the
    error, so every path gives the same instants or the same `RowError`.
    """
    if tz is UTC and len(text) == 19 and text.isascii() and STAMP_RE.fullmatch(text):
        try:
            return (datetime.fromisoformat(text).replace(tzinfo=UTC),)
        except ValueError:
            pass
        return _careful_instants(text, field, tz)
    try:
        return _cached_instants(text, tz)
    except _Unusable:
        return _careful_instants(text, field, tz)


class _Unusable(Exception):
    """A stamp the cache does not hold (errors name the field, which varies)."""


@lru_cache(maxsize=4096)
def _cached_instants(text: str, tz: tzinfo) -> tuple[datetime, ...]:
    try:
        return _careful_instants(text, "", tz)
    except RowError:
        raise _Unusable from None


def _careful_instants(text: str, field: str, tz: tzinfo) -> tuple[datetime, ...]:
    m = STAMP_RE.fullmatch(text)
    if m is None:
        raise RowError(f"{field} is not a YYYY-MM-DD HH:MM:SS time", field)
    try:
        y, mo, d, h, mi, s = (int(g) for g in m.groups())
        naive = datetime(y, mo, d, h, mi, s)
    except ValueError:
        raise RowError(f"{field} is not a possible date and time", field) from None
    found: list[datetime] = []
    for fold in (0, 1):
        local = naive.replace(tzinfo=tz, fold=fold)
        instant = local.astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) != naive:
            continue
        if instant not in found:
            found.append(instant)
    if not found:
        raise RowError(f"{field} does not exist in the time zone (clock change)", field)
    return tuple(found)


def epoch(text: str | int | float, field: str, *, micro: bool = False) -> datetime:
    """Parse seconds (or microseconds) since 1970 as an aware UTC datetime."""
    value = str(text).strip()
    if DECIMAL_RE.fullmatch(value) is None:
        raise RowError(f"{field} is not a number", field)
    number = float(value)
    if number < 0:
        raise RowError(f"{field} is negative", field)
    seconds = number / 1_000_000 if micro else number
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(seconds))
    except OverflowError:
        raise RowError(f"{field} is out of range", field) from None


def seconds(text: str | int, field: str, *, fractional: bool = False) -> int:
    """A whole, non-negative number of seconds (fractions cut when allowed)."""
    if type(text) is str and text.isascii() and text.isdigit():
        return int(text)  # the common case: plain ASCII digits
    value = str(text).strip()
    pattern = DECIMAL_RE if fractional else INT_RE
    if pattern.fullmatch(value) is None:
        raise RowError(f"{field} is not a whole number of seconds", field)
    number = float(value) if fractional else int(value)
    if number < 0:
        raise RowError(f"{field} is negative", field)
    return int(number)


def choose_times(
    starts: Sequence[datetime],
    answers: Sequence[datetime] | None,
    ends: Sequence[datetime],
    duration_s: int,
    billsec_s: int,
) -> tuple[datetime, datetime | None, datetime]:
    """Pick the instants (for ambiguous wall times) that fit the counted seconds."""
    if len(starts) == 1 and len(ends) == 1:
        start, end = starts[0], ends[0]
    else:
        start, end = min(
            ((s, e) for s in starts for e in ends),
            key=lambda pair: abs((pair[1] - pair[0]).total_seconds() - duration_s),
        )
    answer = None
    if answers:
        if len(answers) == 1:
            answer = answers[0]
        else:
            answer = min(
                answers, key=lambda a: abs((end - a).total_seconds() - billsec_s)
            )
    if end < start:
        raise RowError("end is before start", "end")
    if answer is not None and not start <= answer <= end:
        raise RowError("answer is outside start..end", "answer")
    return start, answer, end


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()
