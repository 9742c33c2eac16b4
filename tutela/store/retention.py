"""The retention sweep: apply the policy's retention rules, and nothing more.

Rules come from each category's `retention` in the policy:
- `fixed_period` (website activity, ad clicks): rows older than `days` go;
- `until_customer_deletes` (voicemail): never touched by any job — the
  policy: "stores customers' voice mail messages until the customer deletes
  them" (collect.service_use.voicemail);
- `while_customer`: kept while the business is a customer; closing accounts
  is a separate, audited procedure, not a sweep.

A table is swept only if every personal column it holds belongs to a
fixed-period category and it names its age column in `AGE_COLUMNS`. A
fixed-period table without one is reported in `not_swept` (never silently
skipped): the access-request records need a case-aware sweep (age from the
case's closing, messages of open cases kept), which is not written yet.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, Table, delete
from sqlalchemy.sql.elements import ColumnElement

from tutela.policy.model import Policy, RetentionRule
from tutela.store.db import Store
from tutela.store.models import AdClick, AdClickTotal, Base, WebVisit

log = logging.getLogger(__name__)

# table -> the column that says how old a row is
AGE_COLUMNS: dict[str, ColumnElement[Any]] = {
    WebVisit.__tablename__: WebVisit.__table__.c.viewed_at,
    AdClick.__tablename__: AdClick.__table__.c.clicked_at,
    AdClickTotal.__tablename__: AdClickTotal.__table__.c.day,
}


@dataclass
class SweepResult:
    now: dt.datetime
    deleted: dict[str, int] = field(default_factory=dict)
    kept_forever: list[str] = field(default_factory=list)
    not_swept: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "deleted": self.deleted,
            "kept_until_customer_deletes": self.kept_forever,
            "not_swept": self.not_swept,
        }


def table_categories(table: Table) -> set[str]:
    return {str(c.info["category"]) for c in table.columns if "category" in c.info}


def sweepable_tables(policy: Policy) -> dict[str, int]:
    """Tables whose personal data all falls under fixed periods -> the period in days."""
    periods = {
        c.id: c.retention.days
        for c in policy.meaning.categories
        if c.retention.rule is RetentionRule.fixed_period and c.retention.days
    }
    out: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        cats = table_categories(table)
        if cats and cats <= set(periods):
            out[table.name] = min(periods[c] for c in cats)
    return out


def sweep(store: Store, *, now: dt.datetime | None = None) -> SweepResult:
    """Delete what the policy's fixed retention periods say is too old."""
    policy = store.policy()
    now = now or dt.datetime.now(dt.UTC)
    result = SweepResult(now=now)
    result.kept_forever = sorted(
        c.id
        for c in policy.meaning.categories
        if c.retention.rule is RetentionRule.until_customer_deletes
    )
    with store.session() as session:
        for name, days in sorted(sweepable_tables(policy).items()):
            age = AGE_COLUMNS.get(name)
            if age is None:
                result.not_swept.append(name)
                continue
            cutoff: dt.date | dt.datetime = now - dt.timedelta(days=days)
            if isinstance(age.type, Date):
                cutoff = cutoff.date() if isinstance(cutoff, dt.datetime) else cutoff
            table = Base.metadata.tables[name]
            outcome = session.execute(delete(table).where(age < cutoff))
            result.deleted[name] = max(int(getattr(outcome, "rowcount", 0) or 0), 0)
    log.info(
        "retention.swept tables=%d not_swept=%d",
        len(result.deleted),
        len(result.not_swept),
    )
    return result
