"""Write the export zip: streamed entry by entry, bounded in size, sealed at rest.

Clauses: rights.access (one download holds the data, the report and the
audio), secure.measures (the zip is kept only as a blob of the encrypted
blob store, under its own random key, and shredded once downloaded or
expired; its SHA-256 is kept to check what is served).

Entries are written with `ZipFile.open(name, "w")`, so no entry is held
twice in memory, and the running size is checked after each chunk: an
export that would pass `max_bytes` stops with `ExportTooLarge` and nothing
is stored. The blob store takes the sealed zip in one piece, so `max_bytes`
is at most `tutela.store.blobs.MAX_BLOB_BYTES` (256 MiB).
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.access import Access
from tutela.errors import Conflict
from tutela.rights.export._media import AUDIO_OWNERS
from tutela.rights.export.sections import AudioFile
from tutela.store import MAX_BLOB_BYTES, BlobStore
from tutela.store.models import Blob

_CHUNK = 1 << 16
_SUFFIX = {
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/gsm": ".gsm",
    "audio/x-gsm": ".gsm",
    "audio/flac": ".flac",
}


class ExportTooLarge(Conflict):
    """The export would be larger than the bound; nothing was stored."""


@dataclass(frozen=True)
class Entry:
    """One file of the zip: its name and its bytes, given in chunks."""

    name: str
    chunks: Iterable[bytes]


@dataclass(frozen=True)
class Written:
    data: bytes
    size: int
    sha256: str
    entries: list[str]


def audio_types(session: Session, blob_ids: Iterable[str]) -> dict[str, str | None]:
    """Blob id -> media type, or None when the blob has been shredded."""
    ids = sorted(set(blob_ids))
    found: dict[str, str | None] = dict.fromkeys(ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Blob.id, Blob.media_type, Blob.wrapped_key).where(
                Blob.id.in_(ids[start : start + 500])
            )
        )
        for blob_id, media_type, key in rows:
            found[blob_id] = media_type if key is not None else None
    return found


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def suffix_for(media_type: str) -> str:
    return _SUFFIX.get(media_type.lower(), ".bin")


def blob_chunks(use: Access, blobs: BlobStore, audio: AudioFile) -> Iterator[bytes]:
    """An audio file's plaintext in chunks (decrypted when first asked for).

    Read through the gate as the audio of the row that owns it (`Access.blob`).
    """
    owner = AUDIO_OWNERS[audio.kind]
    data = use.blob(owner, owner == audio.blob_id, blobs=blobs).data
    for start in range(0, len(data), _CHUNK):
        yield data[start : start + _CHUNK]


def write_zip(entries: Iterable[Entry], *, max_bytes: int = MAX_BLOB_BYTES) -> Written:
    """The zip of `entries`, or `ExportTooLarge` once it passes `max_bytes`."""
    bound = min(max_bytes, MAX_BLOB_BYTES)
    names: list[str] = []
    with tempfile.SpooledTemporaryFile(max_size=32 << 20) as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for entry in entries:
                if entry.name in names:
                    raise Conflict(f"export entry {entry.name} written twice")
                names.append(entry.name)
                with zf.open(entry.name, "w", force_zip64=True) as out:
                    for chunk in entry.chunks:
                        out.write(chunk)
                        _check(spool, bound)
                _check(spool, bound)
        _check(spool, bound)
        spool.seek(0)
        data = spool.read()
    return Written(
        data=data,
        size=len(data),
        sha256=sha256_of(data),
        entries=names,
    )


def _check(spool: IO[bytes], bound: int) -> None:
    if spool.tell() > bound:
        raise ExportTooLarge(
            f"the export passes {bound} bytes; split it (e.g. leave out audio) "
            "or raise the bound"
        )
