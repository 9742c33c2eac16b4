"""The shapes an export is gathered into, and paging helpers shared by the gatherers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement

from tutela.access import Access, Actor
from tutela.rights.export._masking import CounterpartMode
from tutela.store import utc_aware
from tutela.store.models import (
    Person,
)

EXPORT_ACTOR = Actor.system("sar_export")
PURPOSE = "subject_access"
PAGE = 5000
_IN_CHUNK = 500
_ACCOUNT_ROLES = frozenset({"contact", "admin"})
M = TypeVar("M")


@dataclass
class Section:
    """One category file of the export: rows of plain values, in a fixed column order."""

    name: str
    category: str
    title: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class AudioFile:
    """An audio file the zip carries: where it goes, which blob holds it, whose.

    `kind` is the row that owns the blob ('voicemail' or 'recording'): the
    blob is read through the gate as that row's audio (`Access.blob`).
    """

    path: str
    blob_id: str
    media_type: str
    kind: str


@dataclass
class SubjectData:
    """What the export holds about one subject, before it is rendered.

    `reached` counts, per store table, the rows that went into the export:
    the proof that every table holding personal data is looked at.
    """

    person_ids: list[int]
    account_ids: list[int]
    sections: list[Section]
    audio: list[AudioFile]
    redactions: int = 0
    secrets_removed: int = 0
    reached: dict[str, int] = field(default_factory=dict)

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)

    def reach(self, table: str, rows: int) -> None:
        self.reached[table] = self.reached.get(table, 0) + rows


@dataclass(frozen=True)
class Claim:
    """An identifier the subject held: which, where (None: any account), when.

    A number assigned to the subject or verified reaches every account's
    records (a call they placed to another customer is theirs); a contact
    phone or address only typed on their record reaches their own account
    only; an extension means something only inside its account.
    """

    kind: str
    value: str
    account_id: int | None
    since: dt.datetime | None
    until: dt.datetime | None

    def covers(self, account_id: int, at: dt.datetime | None) -> bool:
        if self.account_id is not None and self.account_id != account_id:
            return False
        if at is None:
            return self.since is None and self.until is None
        moment = utc_aware(at)
        return (self.since is None or moment >= self.since) and (
            self.until is None or moment < self.until
        )

    def where(self, account: Any, time: Any) -> list[ColumnElement[bool]]:
        """SQL conditions: inside the claim's account (if any) and interval."""
        out: list[ColumnElement[bool]] = []
        if self.account_id is not None:
            out.append(account == self.account_id)
        if self.since is not None:
            out.append(time >= self.since)
        if self.until is not None:
            out.append(time < self.until)
        return out


@dataclass
class _Subject:
    people: list[Person]
    claims: list[Claim]
    mode: CounterpartMode

    def of(self, kind: str) -> list[Claim]:
        return [c for c in self.claims if c.kind == kind]

    def values(self, kind: str) -> set[str]:
        return {c.value for c in self.claims if c.kind == kind}

    def mine(
        self,
        e164: str | None,
        extension: str | None,
        account_id: int,
        at: dt.datetime | None,
    ) -> bool:
        """Whether the number or extension was the subject's there and then."""
        for claim in self.claims:
            held = (claim.kind == "number" and claim.value == e164) or (
                claim.kind == "extension" and claim.value == extension
            )
            if held and claim.covers(account_id, at):
                return True
        return False


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = utc_aware(value)
    return value.isoformat()


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    items = sorted(set(values))
    return [items[i : i + _IN_CHUNK] for i in range(0, len(items), _IN_CHUNK)]


def _paged(
    use: Access, model: type[M], key: Any, *where: ColumnElement[bool]
) -> list[M]:
    """All rows matching `where`, read in pages by primary key (bounded queries)."""
    out: list[M] = []
    last: Any = None
    while True:
        bound = () if last is None else (key > last,)
        batch = use.select(model, *where, *bound, order_by=[key], limit=PAGE)
        out += batch
        if len(batch) < PAGE:
            return out
        last = getattr(batch[-1], key.key)
