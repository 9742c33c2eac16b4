"""Read inbound mail: one RFC 5322 message, an mbox file or a Maildir.

Clause: rights.access.request (every message sent to the legal address is
read; nothing is lost). Each message is handed on as raw bytes, exactly as
received, with a label saying where it came from (never its content).
Messages larger than `MAX_MESSAGE_BYTES` are refused with a clear error.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tutela.errors import InvalidInput

MAX_MESSAGE_BYTES = 10 * 1024 * 1024


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
        size = path.stat().st_size
        if size > MAX_MESSAGE_BYTES:
            yield _too_large(size, str(path))
            return
        yield RawMessage(path.read_bytes(), str(path))
        return
    box: mailbox.Mailbox[mailbox.Message]
    box = (
        mailbox.Maildir(path, create=False)
        if kind == "maildir"
        else mailbox.mbox(path, create=False)
    )
    try:
        keys = sorted(box.keys()) if kind == "maildir" else list(box.keys())
        for index, key in enumerate(keys):
            where = f"{path}#{key}" if kind == "maildir" else f"{path}#{index + 1}"
            data = box.get_bytes(key)
            if len(data) > MAX_MESSAGE_BYTES:
                yield _too_large(len(data), where)
                continue
            yield RawMessage(data, where)
    finally:
        box.close()


def _too_large(size: int, where: str) -> MessageTooLarge:
    return MessageTooLarge(
        f"message is {size} bytes, over the {MAX_MESSAGE_BYTES}-byte limit; "
        "ask the sender for a smaller message or a link",
        file=where,
    )
