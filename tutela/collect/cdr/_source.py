"""Reading CDR input: paths or streams, line by line, in bounded memory.

Policy clause ``collect.service_use.call_records``: every physical line is read and
accounted for; undecodable bytes are kept (``surrogateescape``), never replaced.
Also holds the "is this file the declared format at all?" gate shared by all
parsers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, Final, NamedTuple, TypeVar

from tutela.collect.cdr.records import Rejection, excerpt
from tutela.errors import InvalidInput

Source = str | os.PathLike[str] | IO[bytes] | IO[str]

MAX_LINE_BYTES: Final = 1 << 20
READ_BYTES: Final = 1 << 16
_ESCAPE: Final = "surrogateescape"
# Rejections held back while no line has yet been recognised as the format.
MAX_PENDING: Final = 1000
T = TypeVar("T")


class PhysicalLine(NamedTuple):
    """One line as read (a tuple: a frozen dataclass costs a microsecond more)."""

    number: int
    text: str
    terminated: bool
    overlong: bool = False


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    return data.decode("utf-8", "surrogateescape")


@contextmanager
def opened(source: Source) -> Iterator[IO[bytes] | IO[str]]:
    """Open a path in binary mode, or pass an already open stream through."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            yield fh
    else:
        yield source


def physical_lines(
    fh: IO[bytes] | IO[str], *, exact: bool = False
) -> Iterator[PhysicalLine]:
    """Yield each line without its line end; overlong lines are flagged, not kept.

    Reads `READ_BYTES` at a time and splits on ``\n`` only (a ``\r`` before
    it is dropped). A line longer than `MAX_LINE_BYTES` (characters, for a
    text stream) is yielded as its first 200 characters, flagged
    ``overlong``, and the rest of it is skipped without being held. The last
    line is ``terminated`` only if the input ends with a line end.

    With ``exact``, lines are read one at a time, so the stream is never read
    past the line last yielded (for a caller that goes on reading it).
    """
    if exact:
        yield from _lines_one_by_one(fh)
        return
    number = 0
    carry: Any = None  # the unfinished last line of the blocks read so far
    newline: Any = None
    skipping = False  # inside an overlong line: drop input up to its end
    limit = MAX_LINE_BYTES
    while block := fh.read(READ_BYTES):
        if newline is None:
            newline, carry = ("\n", "") if isinstance(block, str) else (b"\n", b"")
        if skipping:
            end = block.find(newline)
            if end == -1:
                continue
            block, skipping = block[end + 1 :], False
        if carry:
            block = carry + block
        lines = block.split(newline)
        carry = lines.pop()
        for raw in lines:
            number += 1
            yield _physical(number, raw, terminated=True, limit=limit)
        if len(carry) > limit:
            number += 1
            yield _physical(number, carry, terminated=True, limit=limit)
            carry, skipping = carry[:0], True
    if carry:
        yield _physical(number + 1, carry, terminated=False, limit=limit)


def _lines_one_by_one(fh: IO[bytes] | IO[str]) -> Iterator[PhysicalLine]:
    number = 0
    limit = MAX_LINE_BYTES
    readline: Any = fh.readline
    while raw := readline(limit + 1):
        number += 1
        newline: Any = "\n" if isinstance(raw, str) else b"\n"
        ends = raw.endswith(newline)
        if len(raw) > limit and not ends:
            first = raw
            while raw and not raw.endswith(newline):
                raw = readline(limit + 1)
            yield _physical(number, first, terminated=True, limit=limit)
            continue
        yield _physical(number, raw[:-1] if ends else raw, terminated=ends, limit=limit)


def _physical(
    number: int, raw: bytes | str, *, terminated: bool, limit: int
) -> PhysicalLine:
    overlong = len(raw) > limit
    if overlong:
        # Enough for the 200 characters kept; never more than line-by-line
        # reading (`exact`) sees of it.
        raw = raw[: min(limit + 1, 1024)]
    text = raw if isinstance(raw, str) else raw.decode("utf-8", _ESCAPE)
    if number == 1 and text.startswith("\ufeff"):
        text = text[1:]
    if overlong:
        return PhysicalLine(number, text[:200], terminated=True, overlong=True)
    if text.endswith("\r"):
        text = text[:-1]
    return PhysicalLine(number, text, terminated)


def gate(items: Iterator[tuple[bool, T]], *, source_name: str, fmt: str) -> Iterator[T]:
    """Raise `InvalidInput` when nothing in the input is recognisably ``fmt``.

    Parsers feed ``(recognised, item)`` pairs. Rejections are held back until a
    first recognised item appears; if the input ends first (and was not empty),
    the whole file is refused with `InvalidInput` and nothing is yielded. After
    more than `MAX_PENDING` unrecognised items the held rejections are released
    to keep memory bounded; a consumer must then still treat a later
    `InvalidInput` as voiding the whole file (one transaction per file).
    """
    pending: list[T] = []
    released = False
    seen_any = False
    for recognised, item in items:
        seen_any = True
        if recognised and not released:
            released = True
            yield from pending
            pending.clear()
        if released:
            yield item
            continue
        pending.append(item)
        if len(pending) > MAX_PENDING:
            yield from pending
            pending.clear()
    if seen_any and not released:
        reasons = [str(item) for item in pending[:5]]
        raise InvalidInput(
            f"nothing in the input can be read as {fmt}",
            file=source_name,
            errors=reasons,
        )


def reject(
    source_name: str, line: int | None, reason: str, raw: str, field: str | None = None
) -> Rejection:
    return Rejection(
        file=source_name, line=line, reason=reason, excerpt=excerpt(raw), field=field
    )
