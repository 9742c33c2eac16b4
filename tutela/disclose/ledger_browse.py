"""The disclosure ledger for the console: every decision, filtered, a page at a time.

Clauses: disclose, disclose.jurisdictions (who received what,
when, why and in which jurisdiction, refusals included). Open to the roles
with the `read_ledger` duty; each look is audited (`ledger.read`) like
`ledger_for_subject`, which answers the per-subject question.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from tutela.access import Actor
from tutela.access.roles import Duty, has_duty
from tutela.audit import audit_log
from tutela.disclose.ledger import LedgerEntry, _load, ledger_for_subject
from tutela.errors import Forbidden, InvalidInput
from tutela.store import Store
from tutela.store.models import Disclosure

PAGE_SIZE = 50


@dataclass(frozen=True)
class LedgerPage:
    entries: list[LedgerEntry]
    total: int
    page: int
    pages: int


def browse_ledger(
    store: Store,
    *,
    actor: Actor,
    recipient: str | None = None,
    allowed: bool | None = None,
    subject: int | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> LedgerPage:
    """Disclosure decisions, newest first; for one subject, all of theirs."""
    if not has_duty(actor.role, Duty.read_ledger):
        raise Forbidden(f"role {actor.role} may not read the disclosure ledger")
    if not 1 <= page <= 1_000_000:
        raise InvalidInput("a page from 1", field="page")
    if subject is not None:
        entries = ledger_for_subject(store, subject, actor=actor)
        entries = [
            e
            for e in reversed(entries)
            if (recipient is None or e.recipient == recipient)
            and (allowed is None or e.allowed == allowed)
        ]
        return LedgerPage(entries, len(entries), 1, 1)
    where: list[ColumnElement[bool]] = []
    if recipient:
        where.append(Disclosure.recipient == recipient)
    if allowed is not None:
        where.append(Disclosure.allowed == allowed)
    with store.session() as session:
        total = int(
            session.scalar(select(func.count()).select_from(Disclosure).where(*where))
            or 0
        )
        ids = list(
            session.scalars(
                select(Disclosure.id)
                .where(*where)
                .order_by(Disclosure.id.desc())
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        )
    audit_log(store).append(
        actor=actor.id, action="ledger.read", details={"entries": len(ids)}
    )
    entries = sorted(_load(store, ids), key=lambda e: e.id, reverse=True)
    return LedgerPage(entries, total, page, max(1, -(-total // per_page)))
