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
from typing import IO, Final, NamedTuple, TypeVar

from tutela.collect.cdr.records import Rejection, excerpt
from tutela.errors import InvalidInput

Source = str | os.PathLike[str] | IO[bytes] | IO[str]

MAX_LINE_BYTES: Final = 1 << 20
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


def physical_lines(fh: IO[bytes] | IO[str]) -> Iterator[PhysicalLine]:
    """Yield each line without its line end; overlong lines are flagged, not kept."""
    number = 0
    while True:
        chunk = fh.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        number += 1
        text = chunk if isinstance(chunk, str) else chunk.decode("utf-8", _ESCAPE)
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        if len(chunk) > MAX_LINE_BYTES and not text.endswith("\n"):
            while chunk and not decode(chunk).endswith("\n"):
                chunk = fh.readline(MAX_LINE_BYTES + 1)
            yield PhysicalLine(number, text[:200], terminated=True, overlong=True)
            continue
        terminated = text.endswith("\n")
        if terminated:
            text = text[:-1]
        if text.endswith("\r"):
            text = text[:-1]
        yield PhysicalLine(number, text, terminated)


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
