"""Is this file audio? Checked by content, read without following links.

Policy clause ``collect.service_use.voicemail`` ("stores customers' voice mail
messages"): what is stored as a voicemail's audio is audio. A spool is
written by the phone system, but anything that can put a file (or a
symbolic link) into it must not get other data stored and later handed out
as "audio": a link to the key ring, a document renamed ``msg0001.wav``.

- `read_regular` opens a path with ``O_NOFOLLOW`` and ``O_NONBLOCK`` and
  reads it only if it is a regular file, up to a bound: a symbolic link, a
  FIFO or a device is refused, and the check and the read are on the same
  open file (no race between them).
- `audio_format` tells the formats Asterisk's app_voicemail writes and that
  can be checked by content: WAV (RIFF/WAVE with a ``fmt`` chunk of a known
  audio codec and a ``data`` chunk; ``wav`` and ``WAV``/wav49) and raw GSM
  06.10 (whole 33-byte frames, each starting with the 0xD signature).
  Headerless formats (``g722``, ``ulaw``, ``sln``...) cannot be told from
  other bytes and are refused: configure ``format=wav49|gsm|wav``.
"""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path
from typing import Final

# WAVE format tags of audio codecs (mmreg.h): PCM, MS ADPCM, IEEE float,
# A-law, mu-law, IMA ADPCM, G.723 ADPCM, GSM 6.10, G.721, G.722, extensible.
WAVE_CODECS: Final = frozenset(
    {0x0001, 0x0002, 0x0003, 0x0006, 0x0007, 0x0011, 0x0014, 0x0031, 0x0040}
    | {0x0064, 0x0065, 0xFFFE}
)
GSM_FRAME: Final = 33
_MAX_CHUNKS: Final = 64


class NotReadable(Exception):
    """A path that is not a regular file (link, FIFO, device) or cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(NotReadable):
    """A regular file over the size bound."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``limit``), links refused.

    Raises `NotReadable` with the reason: a symbolic link, not a regular
    file, larger than ``limit``, or unreadable.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise NotReadable("is a symbolic link; links are not followed") from None
        raise NotReadable(
            f"cannot be read ({exc.strerror or type(exc).__name__})"
        ) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable("is not a regular file")
        if info.st_size > limit:
            raise TooLarge(f"is larger than {limit} bytes")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"is larger than {limit} bytes")
    return data


def audio_format(data: bytes) -> str | None:
    """``"wav"`` or ``"gsm"`` when ``data`` is audio of that format, else None."""
    if is_wav(data):
        return "wav"
    if is_gsm(data):
        return "gsm"
    return None


def is_wav(data: bytes) -> bool:
    """RIFF/WAVE with a ``fmt`` chunk of an audio codec, then a ``data`` chunk."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return False
    offset, codec_ok = 12, False
    for _ in range(_MAX_CHUNKS):
        if offset + 8 > len(data):
            return False
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        body = offset + 8
        if chunk_id == b"fmt ":
            if size < 16 or body + 16 > len(data):
                return False
            tag, channels, rate = struct.unpack_from("<HHI", data, body)
            codec_ok = tag in WAVE_CODECS and 1 <= channels <= 8 and 0 < rate <= 384_000
            if not codec_ok:
                return False
        elif chunk_id == b"data":
            # A writer cut short may leave the size unset: the data runs to the end.
            return codec_ok
        offset = body + size + (size & 1)  # chunks are padded to even sizes
    return False


def is_gsm(data: bytes) -> bool:
    """Raw GSM 06.10: whole 33-byte frames, each with the 0xD signature nibble."""
    if not data or len(data) % GSM_FRAME:
        return False
    return all(data[i] >> 4 == 0xD for i in range(0, len(data), GSM_FRAME))


__all__ = [
    "NotReadable",
    "TooLarge",
    "audio_format",
    "is_gsm",
    "is_wav",
    "read_regular",
]
