"""Browse the audit log: filter by action, actor, subject or entry, a page at a time.

Clause: secure.measures (the privacy officer and the auditor see who did
what, when, for which purpose and to whose records; the entries hold only
surrogate ids and counts, so reading them reads no personal value). The
chain itself is checked by `AuditLog.verify`; this module only reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select

from tutela.audit._encoding import ACTION, ACTOR_ID
from tutela.errors import InvalidInput
from tutela.store import Store
from tutela.store.models import AuditEntry

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditQuery:
    action: str | None = None
    actor: str | None = None
    subject: int | None = None
    seq: int | None = None
    page: int = 1
    per_page: int = PAGE_SIZE

    def checked(self) -> AuditQuery:
        if self.action and not ACTION.fullmatch(self.action.rstrip(".")):
            raise InvalidInput("an action or its prefix, like sar.", field="action")
        if self.actor and not ACTOR_ID.fullmatch(self.actor):
            raise InvalidInput("an actor id like staff:7", field="actor")
        if self.subject is not None and not 0 <= self.subject < 2**62:
            raise InvalidInput("a surrogate person id", field="subject")
        if not 1 <= self.page <= 1_000_000:
            raise InvalidInput("a page from 1", field="page")
        return self


@dataclass(frozen=True)
class EntryRow:
    seq: int
    at: str
    actor: str
    action: str
    purpose: str | None
    subjects: list[int]
    details: dict[str, object]


@dataclass(frozen=True)
class AuditPage:
    entries: list[EntryRow]
    total: int
    page: int
    pages: int


def _where(query: AuditQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.action:
        if query.action.endswith("."):
            where.append(AuditEntry.action.startswith(query.action, autoescape=True))
        else:
            where.append(AuditEntry.action == query.action)
    if query.actor:
        where.append(AuditEntry.actor == query.actor)
    if query.seq is not None:
        where.append(AuditEntry.seq == query.seq)
    if query.subject is not None:
        n = str(query.subject)
        # Subjects are stored as a canonical JSON list: [3], [3,7], [1,3,7].
        where.append(
            or_(
                AuditEntry.subjects == f"[{n}]",
                AuditEntry.subjects.startswith(f"[{n},"),
                AuditEntry.subjects.endswith(f",{n}]"),
                AuditEntry.subjects.contains(f",{n},"),
            )
        )
    return where


def browse_entries(store: Store, query: AuditQuery) -> AuditPage:
    """Newest entries first, `query.per_page` a page."""
    query = query.checked()
    where = _where(query)
    with store.session() as session:
        total = int(
            session.scalar(select(func.count()).select_from(AuditEntry).where(*where))
            or 0
        )
        rows = session.scalars(
            select(AuditEntry)
            .where(*where)
            .order_by(AuditEntry.seq.desc())
            .offset((query.page - 1) * query.per_page)
            .limit(query.per_page)
        ).all()
        entries = [
            EntryRow(
                seq=r.seq,
                at=r.at,
                actor=r.actor,
                action=r.action,
                purpose=r.purpose,
                subjects=list(json.loads(r.subjects)),
                details=dict(json.loads(r.details)),
            )
            for r in rows
        ]
    pages = max(1, -(-total // query.per_page))
    return AuditPage(entries, total, query.page, pages)
