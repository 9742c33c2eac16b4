"""Parsed web hits and rejected lines: the transient shapes between a log and a Visit.

Policy: the website records "content viewed, date and time and IP address",
and "information collected from use of [the] websites is not associated with
any personally identifiable information." A :class:`Hit` is the only object
that ever holds a visitor's full IP address; it lives in memory just long
enough to be turned into a :class:`~tutela.collect.weblog.visits.Visit`, and its
``repr`` never shows the address, the request or the raw line. A
:class:`Rejection` says where and why a line was refused, in words that
never quote the line (IP addresses are masked even if a reason tried to).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address, ip_address

from tutela.collect.weblog.sanitize import mask_ips
from tutela.errors import InvalidInput
from tutela.store import utcnow


@dataclass(frozen=True, slots=True, repr=False)
class Hit:
    """One request as read from a log line or a collect beacon.

    ``ip`` and ``raw`` are personal data: never log, store or print them.
    ``time`` is timezone-aware UTC.
    """

    file: str
    line: int
    site: str
    ip: IPv4Address | IPv6Address
    time: datetime
    method: str
    target: str
    status: int | None
    referrer: str | None
    user_agent: str | None
    gpc: bool
    raw: bytes = field(compare=False)

    def __repr__(self) -> str:
        return (
            f"Hit(file={self.file!r}, line={self.line}, site={self.site!r}, "
            f"time={self.time.isoformat()!r}, status={self.status})"
        )

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Rejection:
    """A line that could not be used: where it was and why, without its content."""

    file: str
    line: int
    reason: str
    field: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", mask_ips(self.reason))

    def to_error(self) -> InvalidInput:
        """The same rejection as the project's error type (for quarantine/reporting)."""
        return InvalidInput(
            self.reason, file=self.file, line=self.line, field=self.field
        )


def make_hit(
    *,
    site: str,
    ip: str,
    path: str,
    user_agent: str | None,
    referrer: str | None = None,
    gpc: bool = False,
    time: datetime | None = None,
    source: str = "collect",
) -> Hit | Rejection:
    """Build a Hit from a collect beacon (``POST /collect``) rather than a log line.

    ``raw`` becomes a canonical JSON encoding of the fields, so the dedupe key
    is stable across retries of the same beacon. A bad address or a naive
    time gives a Rejection (line 0), never an exception quoting the value.
    """
    try:
        address = ip_address(ip)
    except ValueError:
        return Rejection(source, 0, "client address is not an IP address", "ip")
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    when = time if time is not None else utcnow()
    if when.tzinfo is None:
        return Rejection(source, 0, "timestamp has no UTC offset", "time")
    when = when.astimezone(UTC)
    if not path.startswith("/"):
        return Rejection(source, 0, "path must start with '/'", "path")
    raw = json.dumps(
        [site, str(address), when.isoformat(), path, referrer, user_agent, gpc],
        separators=(",", ":"),
    ).encode()
    return Hit(
        file=source,
        line=0,
        site=site,
        ip=address,
        time=when,
        method="GET",
        target=path,
        status=None,
        referrer=referrer,
        user_agent=user_agent,
        gpc=gpc,
        raw=raw,
    )
