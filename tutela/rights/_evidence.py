"""Data points a requester offers, and how each is matched against what is held.

Clause: rights.access.verification ("Before Jive processes a request, it may
ask for personal information to verify the subject's identity").

Points are of two strengths. Publicly knowable facts (a name, a postal
code, the account number printed on every invoice) are WEAK: a wrong one
fails the attempt, but they never count towards verification. A call
placed FROM the subject's own line (the number called and the time) is
KNOWLEDGE only the line's holder has: a call made TO the number is known to
whoever made it, so it is never asked for.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import phonenumbers

from tutela.errors import InvalidInput
from tutela.rights._people import OnFile
from tutela.store import utc_aware

CALL_TOLERANCE = dt.timedelta(minutes=15)
POINT_KINDS = frozenset({"name", "postal_code", "account_ref", "recent_call"})
WEAK_POINTS = frozenset({"name", "postal_code", "account_ref"})
KNOWLEDGE_POINTS = POINT_KINDS - WEAK_POINTS


@dataclass(frozen=True)
class DataPoint:
    """One fact a requester offers: `kind` in POINT_KINDS; calls carry `at`.

    A `recent_call` is a call the requester PLACED from the claimed number:
    `value` is the number they called, `at` when.
    """

    kind: str
    value: str
    at: dt.datetime | None = None


@dataclass(frozen=True)
class PlacedCall:
    """A call the claimed line placed: whom it called, when, and whose line it was."""

    called: str
    started: dt.datetime
    person_id: int


def parse_e164(text: str, *, field: str = "phone") -> str:
    """`text` as an E.164 number; InvalidInput (naming `field`, not the value)."""
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            "is not a phone number in international form", field=field
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput("is not a possible phone number", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_points(points: list[DataPoint], *, most: int) -> None:
    """Refuse a malformed list of points before anything is looked up."""
    if not points or len(points) > most:
        raise InvalidInput(f"give between 1 and {most} data points", field="points")
    for point in points:
        if point.kind not in POINT_KINDS:
            raise InvalidInput(
                f"unknown data point; use {sorted(POINT_KINDS)}", field="kind"
            )
        if point.kind == "recent_call" and point.at is None:
            raise InvalidInput("a recent call needs its time", field="at")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


def match_points(
    points: list[DataPoint], people: list[OnFile], calls: list[PlacedCall]
) -> list[bool]:
    """For each point, whether it matches what is held; each call matches once."""
    used: set[int] = set()
    out: list[bool] = []
    for point in points:
        ok = False
        if point.kind == "name":
            ok = any(_fold(p.name) == _fold(point.value) for p in people)
        elif point.kind == "postal_code":
            want = _compact(point.value)
            ok = any(p.postal_code and _compact(p.postal_code) == want for p in people)
        elif point.kind == "account_ref":
            ok = any(p.account_ref == point.value.strip() for p in people)
        elif point.kind == "recent_call" and point.at is not None:
            ok = _match_call(point, calls, used)
        out.append(ok)
    return out


def _match_call(point: DataPoint, calls: list[PlacedCall], used: set[int]) -> bool:
    try:
        called = parse_e164(point.value, field="call")
    except InvalidInput:
        return False
    at = utc_aware(point.at) if point.at is not None else None
    if at is None:
        return False
    for index, placed in enumerate(calls):
        if index in used:
            continue
        if placed.called == called and abs(placed.started - at) <= CALL_TOLERANCE:
            used.add(index)
            return True
    return False


def knowledge_matched(points: list[DataPoint], results: list[bool]) -> int:
    """How many matching points only the subject could know (weak ones never count)."""
    return sum(
        1
        for point, ok in zip(points, results, strict=True)
        if ok and point.kind in KNOWLEDGE_POINTS
    )


__all__ = [
    "CALL_TOLERANCE",
    "DataPoint",
    "KNOWLEDGE_POINTS",
    "POINT_KINDS",
    "PlacedCall",
    "WEAK_POINTS",
    "check_points",
    "knowledge_matched",
    "match_points",
    "parse_e164",
]
