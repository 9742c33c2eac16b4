"""The officer's queue of access requests: filters, search by reference, pages.

Clause: rights.access (every request is answered within its legal
deadline: the queue puts the oldest deadline first and singles out the
overdue and the due-soon). The queue shows case metadata only (reference,
state, channel, risk, rule, deadline, assignee): no requester address.

    page = search_cases(store, CaseQuery(state="verifying", due="overdue"))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select

from tutela.errors import InvalidInput
from tutela.rights.cases import OPEN, CaseView, State, view
from tutela.rights.deadlines import DUE_SOON, RULES
from tutela.rights.kinds import KINDS
from tutela.store import Store, utcnow
from tutela.store.models import SarCase, SarCaseRef

PAGE_SIZE = 25
DUE_FILTERS = ("overdue", "due_soon", "open")
MAX_PAGE = 100_000


@dataclass(frozen=True)
class CaseQuery:
    """What the queue is asked for; every field optional."""

    state: str | None = None
    kind: str | None = None
    rule: str | None = None
    jurisdiction: str | None = None
    due: str | None = None
    ref: str | None = None
    assigned_to: str | None = None
    page: int = 1
    per_page: int = PAGE_SIZE

    def checked(self) -> CaseQuery:
        """The query, or `InvalidInput` naming the field that is not usable."""
        if self.state and self.state not in State.__members__:
            raise InvalidInput(f"use one of {sorted(State.__members__)}", field="state")
        if self.kind and self.kind not in KINDS:
            raise InvalidInput(f"use one of {list(KINDS)}", field="kind")
        if self.rule and self.rule not in RULES:
            raise InvalidInput(f"use one of {sorted(RULES)}", field="rule")
        if self.due and self.due not in DUE_FILTERS:
            raise InvalidInput(f"use one of {list(DUE_FILTERS)}", field="due")
        if self.jurisdiction and not (
            self.jurisdiction.replace("-", "").isalnum() and len(self.jurisdiction) <= 6
        ):
            raise InvalidInput("an ISO code such as US or US-CA", field="jurisdiction")
        if not 1 <= self.page <= MAX_PAGE:
            raise InvalidInput(f"a page between 1 and {MAX_PAGE}", field="page")
        if not 1 <= self.per_page <= 200:
            raise InvalidInput("between 1 and 200", field="per_page")
        return self


@dataclass(frozen=True)
class CasePage:
    cases: list[CaseView]
    assigned: dict[int, str | None]
    total: int
    page: int
    pages: int


def _due_column() -> ColumnElement[dt.datetime]:
    return func.coalesce(SarCase.extended_to, SarCase.respond_by)


def _where(query: CaseQuery, moment: dt.datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.state:
        where.append(SarCase.state == query.state)
    if query.kind:
        where.append(SarCase.kind == query.kind)
    if query.rule:
        where.append(SarCase.deadline_rule == query.rule)
    if query.jurisdiction:
        code = query.jurisdiction.strip().upper()
        where.append(
            or_(SarCase.jurisdiction == code, SarCase.jurisdiction.like(code + "-%"))
        )
    if query.assigned_to:
        where.append(SarCase.assigned_to == query.assigned_to)
    if query.due:
        where.append(SarCase.state.in_([s.value for s in OPEN]))
        due = _due_column()
        if query.due == "overdue":
            where.append(due < moment)
        elif query.due == "due_soon":
            where.append(due >= moment)
            where.append(due < moment + DUE_SOON)
    if query.ref:
        ref = query.ref.strip().upper()
        where.append(
            or_(
                SarCase.ref == ref,
                SarCase.id.in_(select(SarCaseRef.case_id).where(SarCaseRef.ref == ref)),
            )
        )
    return where


def search_cases(
    store: Store, query: CaseQuery, *, now: dt.datetime | None = None
) -> CasePage:
    """One page of cases matching `query`, oldest deadline first."""
    query = query.checked()
    moment = now or utcnow()
    where = _where(query, moment)
    with store.session() as session:
        total = int(
            session.scalar(select(func.count()).select_from(SarCase).where(*where)) or 0
        )
        rows = list(
            session.scalars(
                select(SarCase)
                .where(*where)
                .order_by(_due_column(), SarCase.id)
                .offset((query.page - 1) * query.per_page)
                .limit(query.per_page)
            )
        )
        cases = [view(session, c, now=moment) for c in rows]
        assigned = {c.id: c.assigned_to for c in rows}
    pages = max(1, -(-total // query.per_page))
    return CasePage(cases, assigned, total, query.page, pages)
