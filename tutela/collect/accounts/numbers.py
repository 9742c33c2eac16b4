"""Phone numbers from the switch: E.164 where they are numbers, extensions kept.

Policy clauses ``collect.service_use.call_records`` ("source, destination ...
for every phone call") and ``collect.requested`` (numbers stored in E.164):
a CDR's ``src`` and ``dst`` are read as dialled in the account's region with
`phonenumbers`. A short all-digit value is an internal extension and stays
one; anything else that is not a valid number (``s``, a SIP user, an empty
field) keeps only its raw text. The raw value is always kept by the caller.

Normalisation is cached: CDR files repeat the same few numbers millions of
times, and `phonenumbers.parse` is the slowest step of an ingest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import phonenumbers

EXTENSION_RE: Final = re.compile(r"[0-9]{2,6}")
_CLID_RE: Final = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^<]*?))\s*<([^>]*)>\s*')
_DIAL_CHARS: Final = re.compile(r"[0-9+()\-. ]+")
MAX_NUMBER_CHARS: Final = 40


@dataclass(frozen=True, slots=True)
class Number:
    """A dialled value: E.164 if it is a valid number, else an extension, else neither."""

    e164: str | None
    extension: str | None


NONE: Final = Number(e164=None, extension=None)


@lru_cache(maxsize=65536)
def normalize_number(raw: str, region: str) -> Number:
    """Read ``raw`` as dialled in ``region`` (ISO country, e.g. ``US``).

    ``101`` is an extension; ``+1 415 555 0123``, ``4155550123`` and
    ``011 1 415 555 0123`` (from the US) are ``+14155550123``; ``s`` is neither.
    """
    text = raw.strip()
    if not text or len(text) > MAX_NUMBER_CHARS:
        return NONE
    if EXTENSION_RE.fullmatch(text):
        return Number(e164=None, extension=text)
    if not _DIAL_CHARS.fullmatch(text):
        return NONE
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return NONE
    if not phonenumbers.is_valid_number(parsed):
        return NONE
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Number(e164=e164, extension=None)


def split_callerid(clid: str) -> tuple[str, str]:
    """``'"Name" <number>'`` as ``(name, number)``; a bare value is a number.

    Asterisk doubles a quote inside the quoted name; that is undone.
    """
    match = _CLID_RE.fullmatch(clid)
    if match is None:
        return "", clid.strip()
    quoted, bare, number = match.groups()
    name = quoted.replace('""', '"') if quoted is not None else (bare or "")
    return name.strip(), number.strip()


__all__ = ["NONE", "Number", "normalize_number", "split_callerid"]
