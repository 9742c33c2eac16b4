"""Read inbound mail: one RFC 5322 message, an mbox file or a Maildir.

Clause: rights.access.request (every message sent to the legal address is
read; nothing is lost). Each message is handed on as raw bytes, exactly as
received, with a label saying where it came from (never its content).
Messages larger than `MAX_MESSAGE_BYTES` are refused with a clear error.

Every buffer is bounded: an mbox is split as a stream (lines read at most
`_LINE_BYTES` at a time, a message kept only up to the size bound), so a
huge file, a huge message or a line without end cannot exhaust memory; a
Maildir message or a single file is read only up to the bound. The mbox
split is Python's `mailbox.mbox` rule (every line starting `From ` opens a
message; the blank line before it closes the one before), which the tests
check against `mailbox.mbox` itself.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tutela.errors import InvalidInput

MAX_MESSAGE_BYTES = 10 * 1024 * 1024
_LINE_BYTES = 64 * 1024


class MessageTooLarge(InvalidInput):
    """A message over the size bound; it is reported, not stored."""

    status = 413


@dataclass(frozen=True)
class RawMessage:
    """One message's bytes and where it was read from (file, mbox index, Maildir key)."""

    data: bytes
    where: str


def check_size(data: bytes, where: str) -> None:
    if len(data) > MAX_MESSAGE_BYTES:
        raise _too_large(len(data), where)


def kind_of(path: Path) -> str:
    """'maildir', 'mbox' or 'message'."""
    if path.is_dir():
        if all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            return "maildir"
        raise InvalidInput(
            "a directory that is not a Maildir (cur/new/tmp)", file=str(path)
        )
    if not path.is_file():
        raise InvalidInput("no such file or directory", file=str(path))
    with path.open("rb") as fh:
        head = fh.read(5)
    return "mbox" if head == b"From " else "message"


def read_messages(path: Path) -> Iterator[RawMessage | MessageTooLarge]:
    """Yield each message (or the size error that stands in for it), in order."""
    kind = kind_of(path)
    if kind == "message":
        with path.open("rb") as fh:
            data = fh.read(MAX_MESSAGE_BYTES + 1)
        if len(data) > MAX_MESSAGE_BYTES:
            yield _too_large(path.stat().st_size, str(path))
            return
        yield RawMessage(data, str(path))
        return
    if kind == "mbox":
        yield from _mbox(path)
        return
    box = mailbox.Maildir(path, create=False)
    for key in sorted(box.keys()):
        where = f"{path}#{key}"
        with box.get_file(key) as fh:
            data = fh.read(MAX_MESSAGE_BYTES + 1)
        if len(data) > MAX_MESSAGE_BYTES:
            yield _too_large(len(data), where)
            continue
        yield RawMessage(data, where)


def _mbox(path: Path) -> Iterator[RawMessage | MessageTooLarge]:
    """Split an mbox as `mailbox.mbox` does, holding at most one bounded message."""
    index = 0
    kept = bytearray()
    size = 0
    started = False
    line_start = True
    last_was_empty = False
    in_from_line = False

    def finish() -> RawMessage | MessageTooLarge:
        where = f"{path}#{index}"
        if size > MAX_MESSAGE_BYTES:
            return _too_large(size, where)
        data = bytes(kept)
        if last_was_empty:
            data = data[:-1]  # the blank line before the next "From " line
        return RawMessage(data, where)

    with path.open("rb") as fh:
        while chunk := fh.readline(_LINE_BYTES):
            if in_from_line:  # the rest of an over-long From_ line
                in_from_line = not chunk.endswith(b"\n")
                line_start = not in_from_line
                continue
            if line_start and chunk.startswith(b"From "):
                if started:
                    yield finish()
                index += 1
                started, kept, size = True, bytearray(), 0
                last_was_empty = False
                in_from_line = not chunk.endswith(b"\n")
                line_start = not in_from_line
                continue  # the From_ line itself is not part of the message
            if started:
                size += len(chunk)
                if size <= MAX_MESSAGE_BYTES:
                    kept += chunk
                elif kept:
                    kept = bytearray()
            if line_start:
                last_was_empty = chunk == b"\n"
            line_start = chunk.endswith(b"\n")
    if started:
        yield finish()


def _too_large(size: int, where: str) -> MessageTooLarge:
    return MessageTooLarge(
        f"message is {size} bytes, over the {MAX_MESSAGE_BYTES}-byte limit; "
        "ask the sender for a smaller message or a link",
        file=where,
    )
