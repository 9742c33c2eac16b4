"""Field parsers shared by the combined-log and JSON-lines readers.

Policy: the website records "content viewed, date and time and IP address".
These helpers validate those three things; they return None on bad input
rather than raising, so that no exception message can carry a raw value.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, ip_address

MAX_LINE_BYTES = 16 * 1024
# A gzip stream may expand this many times its compressed size, once past
# BOMB_MIN_BYTES; access logs compress 5 to 30-fold, a decompression bomb
# about a thousandfold.
MAX_EXPANSION = 200
BOMB_MIN_BYTES = 8 * 1024 * 1024


class Reason(StrEnum):
    """Why a line was rejected; the wording never includes the line itself."""

    EMPTY = "empty line"
    NOT_UTF8 = "line is not valid UTF-8"
    OVERSIZED = f"line longer than {MAX_LINE_BYTES} bytes"
    TRUNCATED = "line is truncated"
    MALFORMED = "line does not match the combined log format"
    MISSING_GPC = "line lacks the Sec-GPC field of the combined_gpc format"
    BAD_IP = "client address is not an IP address"
    BAD_TIME = "timestamp is not a valid time with a UTC offset"
    BAD_REQUEST = "request line is not 'METHOD /target HTTP/x.y'"
    BAD_STATUS = "status is not an HTTP status code"
    BAD_JSON = "line is not a JSON object"
    MISSING_FIELD = "required field is missing or empty"
    CORRUPT = "compressed data is corrupt or cut short; lines after this are lost"
    BOMB = (
        f"compressed data expands more than {MAX_EXPANSION}-fold (a decompression "
        "bomb); lines after this are not read"
    )


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun")
        + ("Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
_CLF_TIME = re.compile(
    r"(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"
)
_REQUEST = re.compile(r"([A-Z][A-Z0-9_-]{0,19}) (\S+)(?: (HTTP/\d(?:\.\d)?))?")
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|.)")


@lru_cache(maxsize=65536)
def parse_ip(text: str) -> IPv4Address | IPv6Address | None:
    """An IP address (IPv4-mapped IPv6 unwrapped to IPv4), or None."""
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address):
        if address.scope_id is not None:
            return None
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


@lru_cache(maxsize=8192)
def _offset(sign: str, hours: int, minutes: int) -> timezone:
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if sign == "-" else delta)


@lru_cache(maxsize=4096)
def parse_clf_time(text: str) -> datetime | None:
    """``10/Oct/2000:13:55:36 -0700`` as an aware UTC datetime, or None."""
    m = _CLF_TIME.fullmatch(text)
    if m is None:
        return None
    month = _MONTHS.get(m[2])
    hours, minutes = int(m[8]), int(m[9])
    if month is None or hours > 23 or minutes > 59:
        return None
    try:
        local = datetime(
            int(m[3]),
            month,
            int(m[1]),
            int(m[4]),
            int(m[5]),
            int(m[6]),
            tzinfo=_offset(m[7], hours, minutes),
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def parse_iso_time(text: str) -> datetime | None:
    """An ISO 8601 time that carries an offset, as UTC, or None."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return when.astimezone(UTC)


def parse_epoch(value: float) -> datetime | None:
    """Seconds since the epoch (nginx ``$msec``) as UTC, or None."""
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def unescape(text: str) -> str:
    """Undo nginx/Apache log escaping; ``\\xHH`` becomes ``%HH``."""
    if "\\" not in text:
        return text

    def _one(m: re.Match[str]) -> str:
        code = m.group(1)
        return "%" + code[1:].upper() if len(code) == 3 else code

    return _ESCAPE.sub(_one, text)


def parse_request(text: str) -> tuple[str, str] | None:
    """``(method, target)`` from a request line, or None if it is not one."""
    m = _REQUEST.fullmatch(text)
    if m is None:
        return None
    target = m[2]
    if not (target.startswith("/") or target.startswith(("http://", "https://"))):
        return None
    return m[1], target


def parse_status(text: str) -> int | None:
    """An HTTP status 100-599, or None."""
    if len(text) != 3 or not text.isdigit():
        return None
    status = int(text)
    return status if 100 <= status <= 599 else None


def optional(text: str | None) -> str | None:
    """None for the log placeholders ``-`` and the empty string."""
    if text is None or text == "-" or text == "":
        return None
    return unescape(text)


def gpc_on(value: object) -> bool:
    """True when a Sec-GPC value means "do not sell or share" (the value 1)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    return isinstance(value, str) and value.strip() == "1"
