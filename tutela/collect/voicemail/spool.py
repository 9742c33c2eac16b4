"""Walking an Asterisk app_voicemail spool: one `VoicemailMessage` per message.

Policy clause ``collect.service_use.voicemail``: voicemail (audio and metadata) is
collected as part of service use. Every message found yields either a
`VoicemailMessage` or a `Rejection`; a message whose metadata cannot be read is
rejected, never guessed.

Layout: ``<spool>/<context>/<mailbox>/<folder>/msgNNNN.txt`` beside its audio,
``msgNNNN.<ext>`` (one file per recorded format: wav, WAV, gsm, ...). The ``tmp``
folder (messages still being recorded) and files directly in a mailbox
(greetings) are not messages and are skipped. The metadata file is ini-like: a
``[message]`` section of ``key = value`` lines, with ``;`` comments and any
whitespace around keys, ``=`` and values.

A directory that cannot be listed is rejected with its path (never taken as
empty). Symbolic links are never followed: a link where a context, mailbox, folder
or message file should be is rejected with its path (a link in a spool could
otherwise get any file of the machine, the key ring say, stored as audio).
Files are opened with ``O_NOFOLLOW`` (`tutela.collect.voicemail.audio.read_regular`).
A ``msg_id`` that is not UTF-8 text, or too long for the column, is keyed by
its digest (`message_key`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from tutela.collect.cdr.records import Rejection, excerpt
from tutela.collect.quarantine import is_text
from tutela.collect.voicemail.audio import NotReadable, TooLarge, read_regular
from tutela.errors import InvalidInput

KNOWN_KEYS: Final = (
    "origmailbox context macrocontext exten rdnis priority callerchan callerid "
    "origdate origtime category msg_id flag duration"
).split()
SKIPPED_FOLDERS: Final = frozenset({"tmp"})
# Where app_voicemail keeps messages the customer deleted (``backupdeleted``).
CUSTOMER_DELETED_FOLDERS: Final = frozenset({"Deleted"})
MAX_METADATA_BYTES: Final = 64 * 1024
KEY_CHARS: Final = 128  # Voicemail.dedupe_key
LINK_REASON: Final = "is a symbolic link; links in a spool are not followed"
_MSG_FILE: Final = re.compile(r"(msg[0-9]{4,})\.([A-Za-z0-9]+)")
_DIGITS: Final = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class VoicemailMessage:
    """One voicemail message: where it lies, its audio files and its metadata.

    ``context``, ``mailbox`` and ``folder`` come from the spool path;
    ``call_context`` is the metadata's ``context`` (the dialplan context the call
    came from). Text is decoded from UTF-8 with ``surrogateescape``. ``dedupe_key``
    does not depend on the folder, so a message moved from INBOX to Old keeps it.
    """

    metadata_path: Path
    audio_paths: tuple[Path, ...]
    context: str
    mailbox: str
    folder: str
    origmailbox: str
    call_context: str
    macrocontext: str
    exten: str
    rdnis: str
    priority: str
    callerchan: str
    callerid: str
    origdate: str
    origtime: datetime
    category: str
    msg_id: str | None
    flag: str
    duration_s: int
    extra: tuple[tuple[str, str], ...]
    dedupe_key: str


VoicemailItem = VoicemailMessage | Rejection


class _Unreadable(Exception):
    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def parse(spool_dir: str | os.PathLike[str]) -> Iterator[VoicemailItem]:
    """Walk ``spool_dir`` in sorted order and yield each message or its rejection.

    Raises `InvalidInput` if ``spool_dir`` is not a directory.
    """
    root = Path(spool_dir)
    if not root.is_dir():
        raise InvalidInput("voicemail spool is not a directory", file=str(root))
    return _walk(root)


def _entries(path: Path) -> list[os.DirEntry[str]]:
    with os.scandir(path) as found:
        return sorted(found, key=lambda e: e.name)


def _link(entry: os.DirEntry[str]) -> Rejection:
    return Rejection(file=entry.path, line=None, reason=LINK_REASON, excerpt="")


def _unlistable(path: Path, err: OSError) -> Rejection:
    reason = f"directory cannot be listed ({err.strerror or type(err).__name__})"
    return Rejection(file=str(path), line=None, reason=reason, excerpt="")


def _subdirs(path: Path) -> Iterator[Path | Rejection]:
    """The directories in ``path`` (links to one rejected), in name order.

    A directory that cannot be listed (permissions, a stale mount) is
    rejected with its path, so that what it holds is never taken as gone.
    """
    try:
        entries = _entries(path)
    except OSError as err:
        yield _unlistable(path, err)
        return
    for entry in entries:
        if entry.is_symlink():
            if entry.is_dir():  # follows: a link to a directory, rejected
                yield _link(entry)
            continue
        if entry.is_dir(follow_symlinks=False):
            yield Path(entry.path)


def _walk(root: Path) -> Iterator[VoicemailItem]:
    for context in _subdirs(root):
        if isinstance(context, Rejection):
            yield context
            continue
        for mailbox in _subdirs(context):
            if isinstance(mailbox, Rejection):
                yield mailbox
                continue
            for folder in _subdirs(mailbox):
                if isinstance(folder, Rejection):
                    yield folder
                elif folder.name not in SKIPPED_FOLDERS:
                    yield from _folder(folder, context.name, mailbox.name)


def _folder(folder: Path, context: str, mailbox: str) -> Iterator[VoicemailItem]:
    by_stem: dict[str, list[Path]] = {}
    metadata: list[Path] = []
    try:
        entries = _entries(folder)
    except OSError as err:
        yield _unlistable(folder, err)
        return
    for entry in entries:
        m = _MSG_FILE.fullmatch(entry.name)
        if m is None:
            continue
        if entry.is_symlink():
            yield _link(entry)
            continue
        if not entry.is_file(follow_symlinks=False):
            yield Rejection(
                file=entry.path, line=None, reason="is not a regular file", excerpt=""
            )
            continue
        path = Path(entry.path)
        if m.group(2) == "txt":
            metadata.append(path)
        else:
            by_stem.setdefault(m.group(1), []).append(path)
    for path in metadata:
        audio = tuple(by_stem.pop(path.name[:-4], []))
        yield _message(path, audio, context, mailbox, folder.name)
    for stem in by_stem:
        yield Rejection(
            file=str(folder / stem),
            line=None,
            reason="audio without a metadata file",
            excerpt="",
        )


def message_key(context: str, mailbox: str, msg_id: str) -> str:
    """The dedupe key of a message with a ``msg_id``: readable when it fits the
    column as UTF-8 text, else the digest of its exact bytes."""
    key = f"vm:{context}/{mailbox}:{msg_id}"
    if len(key) <= KEY_CHARS and is_text(key):
        return key
    raw = key.encode("utf-8", "surrogateescape")
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def read_metadata(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    """The ``[message]`` keys of a msgNNNN.txt, first value wins, with line numbers."""
    try:
        data = read_regular(path, MAX_METADATA_BYTES)
    except TooLarge:
        raise _Unreadable("metadata file larger than 64 KiB") from None
    except NotReadable as err:
        raise _Unreadable(f"metadata file {err.reason}") from None
    if b"\x00" in data:
        raise _Unreadable("metadata file holds binary data")
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    section: str | None = None
    for number, raw in enumerate(
        data.decode("utf-8", "surrogateescape").splitlines(), 1
    ):
        text = raw.strip()
        if not text or text.startswith(";"):
            continue
        if text.startswith("[") and text.endswith("]"):
            section = text[1:-1].strip().lower()
            continue
        if "=" not in text:
            raise _Unreadable("metadata line is not key = value", number)
        if section != "message":
            continue
        key, _, value = text.partition("=")
        key = key.strip().lower()
        value = value.strip()
        if value.startswith(">"):  # "key => value" is the same as "key = value"
            value = value[1:].lstrip()
        values.setdefault(key, value)
        lines.setdefault(key, number)
    if section is None:
        raise _Unreadable("metadata has no [message] section")
    return values, lines


def _message(
    path: Path, audio: tuple[Path, ...], context: str, mailbox: str, folder: str
) -> VoicemailItem:
    def rejected(reason: str, line: int | None = None) -> Rejection:
        try:
            raw = read_regular(path, MAX_METADATA_BYTES)
        except NotReadable:
            raw = b""
        head = raw[:400].decode("utf-8", "surrogateescape")
        return Rejection(
            file=str(path), line=line, reason=reason, excerpt=excerpt(head)
        )

    try:
        values, lines = read_metadata(path)
    except _Unreadable as err:
        return rejected(err.reason, err.line)
    origtime_raw = values.get("origtime", "")
    if not origtime_raw:
        return rejected("origtime is missing", lines.get("origtime"))
    if not _DIGITS.fullmatch(origtime_raw):
        return rejected("origtime is not a whole number", lines["origtime"])
    duration_raw = values.get("duration", "")
    if not duration_raw:
        return rejected("duration is missing", lines.get("duration"))
    if not _DIGITS.fullmatch(duration_raw):
        return rejected("duration is not a whole number of seconds", lines["duration"])
    if not audio:
        return rejected("no audio file beside the metadata")
    try:
        origtime = datetime.fromtimestamp(int(origtime_raw), UTC)
    except (OverflowError, ValueError, OSError):
        return rejected("origtime is out of range", lines["origtime"])
    msg_id = values.get("msg_id") or None
    if msg_id:
        key = message_key(context, mailbox, msg_id)
    else:
        canonical = json.dumps(
            [context, mailbox, origtime_raw, values.get("callerid", ""), duration_raw],
            ensure_ascii=True,
        )
        key = "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()
    return VoicemailMessage(
        metadata_path=path,
        audio_paths=audio,
        context=context,
        mailbox=mailbox,
        folder=folder,
        origmailbox=values.get("origmailbox", ""),
        call_context=values.get("context", ""),
        macrocontext=values.get("macrocontext", ""),
        exten=values.get("exten", ""),
        rdnis=values.get("rdnis", ""),
        priority=values.get("priority", ""),
        callerchan=values.get("callerchan", ""),
        callerid=values.get("callerid", ""),
        origdate=values.get("origdate", ""),
        origtime=origtime,
        category=values.get("category", ""),
        msg_id=msg_id,
        flag=values.get("flag", ""),
        duration_s=int(duration_raw),
        extra=tuple(sorted((k, v) for k, v in values.items() if k not in KNOWN_KEYS)),
        dedupe_key=key,
    )


__all__ = [
    "CUSTOMER_DELETED_FOLDERS",
    "LINK_REASON",
    "VoicemailItem",
    "VoicemailMessage",
    "message_key",
    "parse",
    "read_metadata",
]
