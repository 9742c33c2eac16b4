"""Streaming reader for web-server access logs: combined, combined_gpc and JSON lines.

Policy: the website records "content viewed, date and time and IP address".
This module reads exactly that from nginx/Apache logs, one line at a time, in
constant memory, gzip-compressed or not (told apart by magic bytes, never by
file name). Every line comes out as a :class:`Hit` or a :class:`Rejection`
(file, line, field, reason); nothing is silently dropped, and no reason
quotes the line, since it carries the visitor's IP address.

Formats (see docs/web.md):

* ``combined``: ``$remote_addr - $remote_user [$time_local] "$request" $status
  $body_bytes_sent "$http_referer" "$http_user_agent"``
* ``combined_gpc``: the same plus a trailing ``"$http_sec_gpc"``
* ``jsonl``: one JSON object per line
* ``auto`` (default): JSON when a line starts with ``{`` or ``[``, else combined with an
  optional Sec-GPC field.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal

from tutela.collect.weblog import _fields
from tutela.collect.weblog._fields import (
    MAX_LINE_BYTES,
    Reason,
    gpc_on,
    optional,
    parse_clf_time,
    parse_ip,
    parse_request,
    parse_status,
    unescape,
)
from tutela.collect.weblog._jsonl import parse_json_hit
from tutela.collect.weblog.hits import Hit, Rejection
from tutela.errors import InvalidInput

LogFormat = Literal["auto", "combined", "combined_gpc", "jsonl"]
LOG_FORMATS: tuple[LogFormat, ...] = ("auto", "combined", "combined_gpc", "jsonl")

_GZIP_MAGIC = b"\x1f\x8b"
_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
_COMBINED = re.compile(
    rf"(\S+) \S+ \S+ \[([^\]]*)\] {_QUOTED} (\S+) (?:\d+|-) {_QUOTED} {_QUOTED}"
    rf"(?: {_QUOTED})?\s*"
)
_PREFIX = re.compile(r"(\S+) \S+ \S+ \[([^\]]*)\]")
_UNESCAPED_QUOTE = re.compile(r'(?<!\\)"')


def sniff(raw: BinaryIO) -> bytes:
    """The first two bytes of a stream, without consuming them."""
    peek = getattr(raw, "peek", None)
    if peek is not None:
        head: bytes = peek(2)[:2]
        return head
    if raw.seekable():
        start = raw.tell()
        head = raw.read(2)
        raw.seek(start)
        return head
    return b""


def open_log(raw: BinaryIO) -> BinaryIO:
    """Wrap a binary stream in a gzip reader when it starts with gzip magic.

    The caller keeps ownership of ``raw`` and closes it.
    """
    if sniff(raw) == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def iter_raw_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """``(line_number, bytes)`` per physical line; ``None`` for an oversized line.

    An oversized line is skipped in bounded chunks, so a file without line
    ends cannot make the reader hold more than ``MAX_LINE_BYTES`` at once.
    """
    number = 0
    readline = stream.readline
    while True:
        line = readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:
                chunk = readline(65536)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, line


def _diagnose(text: str, has_newline: bool) -> Reason:
    """The most specific reason a line failed the combined pattern."""
    if not has_newline:
        return Reason.TRUNCATED
    prefix = _PREFIX.match(text)
    if prefix is None:
        return Reason.MALFORMED
    if parse_ip(prefix[1]) is None:
        return Reason.BAD_IP
    if parse_clf_time(prefix[2]) is None:
        return Reason.BAD_TIME
    if len(_UNESCAPED_QUOTE.findall(text, prefix.end())) < 6:
        return Reason.TRUNCATED
    return Reason.MALFORMED


def parse_line(
    raw: bytes,
    *,
    file: str,
    line: int,
    site: str,
    fmt: LogFormat = "auto",
) -> Hit | Rejection:
    """Parse one raw log line (with or without its line end)."""
    has_newline = raw.endswith(b"\n")
    body = raw.rstrip(b"\r\n")
    if not body.strip():
        return Rejection(file, line, Reason.EMPTY)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Rejection(file, line, Reason.NOT_UTF8)
    if fmt == "jsonl" or (fmt == "auto" and text.lstrip()[:1] in ("{", "[")):
        return parse_json_hit(text, body, file=file, line=line, site=site)
    m = _COMBINED.fullmatch(text)
    if m is None:
        return Rejection(file, line, _diagnose(text, has_newline))
    addr, time_text, request, status_text, referrer, agent, gpc_text = m.groups()
    if fmt == "combined" and gpc_text is not None:
        return Rejection(file, line, Reason.MALFORMED)
    if fmt == "combined_gpc" and gpc_text is None:
        return Rejection(file, line, Reason.MISSING_GPC, "http_sec_gpc")
    ip = parse_ip(addr)
    if ip is None:
        return Rejection(file, line, Reason.BAD_IP, "remote_addr")
    when = parse_clf_time(time_text)
    if when is None:
        return Rejection(file, line, Reason.BAD_TIME, "time_local")
    parsed = parse_request(unescape(request))
    if parsed is None:
        return Rejection(file, line, Reason.BAD_REQUEST, "request")
    status = parse_status(status_text)
    if status is None:
        return Rejection(file, line, Reason.BAD_STATUS, "status")
    return Hit(
        file=file,
        line=line,
        site=site,
        ip=ip,
        time=when,
        method=parsed[0],
        target=parsed[1],
        status=status,
        referrer=optional(referrer),
        user_agent=optional(agent),
        gpc=gpc_on(gpc_text),
        raw=body,
    )


def _bomb(raw: BinaryIO, expanded: int) -> bool:
    """Whether ``expanded`` bytes out of ``raw`` so far are a decompression bomb."""
    if expanded < _fields.BOMB_MIN_BYTES:
        return False
    try:
        compressed = raw.tell()
    except OSError:  # a pipe: count what it gave, as gzip read it
        return False
    return expanded > _fields.MAX_EXPANSION * max(compressed, 1)


def read_log(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    site: str,
    fmt: LogFormat = "auto",
    name: str | None = None,
) -> Iterator[Hit | Rejection]:
    """Stream Hits and Rejections from a log file or binary stream.

    ``site`` names the web site the log belongs to (combined logs do not say);
    JSON lines may override it with a ``host`` field. ``name`` is the file name
    used in rejections (default: the path, or ``<stream>``).
    """
    if fmt not in LOG_FORMATS:
        raise InvalidInput(
            f"unknown log format; use one of {', '.join(LOG_FORMATS)}", field="format"
        )
    owned = isinstance(source, str | os.PathLike)
    raw: BinaryIO
    if isinstance(source, str | os.PathLike):
        raw = Path(source).open("rb")
        name = os.fspath(source) if name is None else name
    else:
        raw = source
        name = "<stream>" if name is None else name
    stream = open_log(raw)
    number = 0
    expanded = 0
    try:
        for number, line in iter_raw_lines(stream):
            if line is None:
                expanded += MAX_LINE_BYTES
                yield Rejection(name, number, Reason.OVERSIZED)
            else:
                expanded += len(line)
                yield parse_line(line, file=name, line=number, site=site, fmt=fmt)
            if stream is not raw and number % 4096 == 0 and _bomb(raw, expanded):
                yield Rejection(name, number + 1, Reason.BOMB)
                return
    except (OSError, EOFError, zlib.error):
        # A cut or corrupt gzip member: keep what was read, report the rest.
        yield Rejection(name, number + 1, Reason.CORRUPT)
    finally:
        if stream is not raw:
            stream.close()
        if owned:
            raw.close()
