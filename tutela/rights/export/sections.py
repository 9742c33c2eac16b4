"""The shapes an export is gathered into, and paging helpers shared by the gatherers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement

from tutela.rights.export._masking import CounterpartMode
from tutela.store.models import (
    Person,
)
from tutela.store.types import utc_aware
from tutela.use import Access, Actor

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
    """An audio file the zip carries: where it goes and which blob holds it."""

    path: str
    blob_id: str
    media_type: str


@dataclass
class SubjectData:
    """What the export holds about one subject, before it is rendered."""

    person_ids: list[int]
    account_ids: list[int]
    sections: list[Section]
    audio: list[AudioFile]
    redactions: int = 0
    secrets_removed: int = 0

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)


@dataclass
class _Subject:
    people: list[Person]
    numbers: set[str]
    extensions: dict[int, set[str]]
    mode: CounterpartMode

    def mine(self, e164: str | None, extension: str | None, account_id: int) -> bool:
        if e164 is not None and e164 in self.numbers:
            return True
        return extension is not None and extension in self.extensions.get(
            account_id, set()
        )


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
