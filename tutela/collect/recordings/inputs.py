"""What an operator gives for a call recording, checked: times, parties, audio.

Clause collect.service_use.call_recordings ("Jive may record calls between
its employees and its customers or prospective customers after giving
required notice"): a recording is compared with its notice to the second,
so a time must carry a UTC offset (``2025-03-01T15:00:00Z``) and is refused
rather than guessed without one; every party is named with a role the
clause covers (staff, customer, prospect), and a number or jurisdiction
when known, so the all-party-consent rule can be applied; the audio is read
whole, at most `MAX_AUDIO_BYTES` (200 MiB), and must be the format it
claims.

Error messages name the field that failed, never the value given: a party
or a file name may hold a phone number. `tutela recordings` (the CLI)
parses its options with these functions and names its options as fields.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Final

from tutela.collect.accounts.numbers import NONE, normalize_number
from tutela.collect.recordings.record import ROLES, Party
from tutela.errors import InvalidInput
from tutela.store import utcnow

MAX_AUDIO_BYTES: Final = 200 * 1024 * 1024
MAX_DURATION_S: Final = 24 * 60 * 60
FUTURE_SLACK: Final = dt.timedelta(minutes=5)
MEDIA_TYPES: Final = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".m4a": "audio/mp4",
    ".gsm": "audio/gsm",
    ".g722": "audio/g722",
}
_MEDIA_TYPE: Final = re.compile(r"audio/[a-z0-9][a-z0-9.+\-]{0,33}")  # <= 40 chars
_JURISDICTION: Final = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")
_PARTY_FORM: Final = (
    "the form is ROLE:NUMBER@JURISDICTION, number and jurisdiction optional, "
    "e.g. staff@US-UT or customer:NUMBER with the number in E.164 form"
)
_EXAMPLE_TIME: Final = "e.g. 2025-03-01T15:00:00Z or 2025-03-01T08:00:00-07:00"


def parse_time(text: str, option: str) -> dt.datetime:
    """An ISO 8601 instant with a UTC offset, not in the future, as UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"is not an ISO 8601 date-time ({_EXAMPLE_TIME})", field=option
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"needs a UTC offset or Z ({_EXAMPLE_TIME}); a time without one "
            "cannot be compared with the notice",
            field=option,
        )
    value = value.astimezone(dt.UTC)
    if value > utcnow() + FUTURE_SLACK:
        raise InvalidInput("is in the future", field=option)
    return value


def parse_party(text: str, index: int) -> Party:
    """``ROLE[:NUMBER][@JURISDICTION]`` as a `Party` (the number is checked later)."""
    field = f"--party #{index}"
    body, at, place = text.strip().partition("@")
    if "@" in place:
        raise InvalidInput(f"has more than one '@'; {_PARTY_FORM}", field=field)
    role, colon, number = body.partition(":")
    role, number, place = role.strip().lower(), number.strip(), place.strip().upper()
    if role not in ROLES:
        # The text is not echoed: what stands where the role belongs may be a number.
        raise InvalidInput(
            f"the role must be staff, customer or prospect; {_PARTY_FORM}", field=field
        )
    if colon and not number:
        raise InvalidInput(
            f"nothing after ':'; give a number or leave out the ':'; {_PARTY_FORM}",
            field=field,
        )
    if at and not _JURISDICTION.fullmatch(place):
        raise InvalidInput(
            "the jurisdiction after '@' must be an ISO 3166 code such as US-CA, "
            f"CA-QC or GB; {_PARTY_FORM}",
            field=field,
        )
    return Party(role=role, number=number or None, jurisdiction=place or None)


def parse_parties(texts: list[str]) -> list[Party]:
    """Every `--party`, at least two (`store_recording` checks their roles)."""
    if len(texts) < 2:
        raise InvalidInput(
            "give every party to the call, at least two (e.g. --party staff@US-UT "
            "--party customer:NUMBER)",
            field="--party",
        )
    return [parse_party(text, i) for i, text in enumerate(texts, start=1)]


def check_numbers(parties: list[Party], region: str) -> None:
    """Every party's number is a phone number (read in `region`) or an extension."""
    for index, party in enumerate(parties, start=1):
        if party.number is not None and normalize_number(party.number, region) == NONE:
            raise InvalidInput(
                f"the number is not a phone number or extension (read in {region}); "
                "give it in E.164 form (+ country code, number)",
                field=f"--party #{index}",
            )


def media_type_for(path: Path, given: str | None) -> str:
    """The audio media type given, else the one the file's extension implies."""
    if given is not None:
        media_type = given.strip().lower()
        if not _MEDIA_TYPE.fullmatch(media_type):
            raise InvalidInput(
                "must be an audio media type such as audio/wav or audio/mpeg",
                field="--media-type",
            )
        return media_type
    guessed = MEDIA_TYPES.get(path.suffix.lower())
    if guessed is None:
        raise InvalidInput(
            "cannot tell the audio format from the file's extension "
            f"(known: {', '.join(sorted(MEDIA_TYPES))}); pass --media-type",
            field="--media-type",
        )
    return guessed


def _header_matches(media_type: str, data: bytes) -> bool:
    """False when a format with a fixed header does not start with it."""
    if media_type == "audio/wav":
        return data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    magic = {"audio/ogg": b"OggS", "audio/flac": b"fLaC"}.get(media_type)
    return magic is None or data.startswith(magic)


def read_audio(path: Path, media_type: str) -> bytes:
    """The whole file: it must exist, be non-empty and at most `MAX_AUDIO_BYTES`.

    Messages name the argument, not the path: recorders often put the
    caller's number in the file name.
    """
    field = "AUDIO_FILE"
    limit = f"{MAX_AUDIO_BYTES // (1024 * 1024)} MiB"
    try:
        if path.is_dir():
            raise InvalidInput("is a directory, not an audio file", field=field)
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_AUDIO_BYTES:
                raise InvalidInput(f"is larger than {limit}", field=field)
            data = handle.read(MAX_AUDIO_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput("does not exist", field=field) from None
    except PermissionError:
        raise InvalidInput("cannot be read (permission denied)", field=field) from None
    except OSError as exc:
        raise InvalidInput(
            f"cannot be read ({exc.strerror or 'I/O error'})", field=field
        ) from None
    if not data:
        raise InvalidInput("is empty", field=field)
    if len(data) > MAX_AUDIO_BYTES:
        raise InvalidInput(f"is larger than {limit}", field=field)
    if not _header_matches(media_type, data):
        raise InvalidInput(
            f"is not {media_type} (its header does not match)", field=field
        )
    return data


def check_duration(seconds: int, field: str = "--duration") -> int:
    """A recording's length in seconds: 0 to `MAX_DURATION_S`."""
    if not 0 <= seconds <= MAX_DURATION_S:
        raise InvalidInput(f"must be 0 to {MAX_DURATION_S} seconds", field=field)
    return seconds


__all__ = [
    "FUTURE_SLACK",
    "MAX_AUDIO_BYTES",
    "MAX_DURATION_S",
    "MEDIA_TYPES",
    "check_duration",
    "check_numbers",
    "media_type_for",
    "parse_parties",
    "parse_party",
    "parse_time",
    "read_audio",
]
