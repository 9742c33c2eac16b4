"""One retention run: the fixed periods swept, past days' salts destroyed, audited.

Clauses: secure.measures (the run is recorded as the staff member who ran
it), collect.web_use.web_activity and collect.web_use.ad_clicks (website activity and ad
clicks kept for the policy's fixed periods), scope.web_unlinked (the
visitor-hash salts of every day before today are destroyed, so no earlier
visitor hash can ever be recomputed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tutela.audit.log import record
from tutela.collect.former_customers import FormerCustomers, sweep_former_customers
from tutela.collect.quarantine_sweep import sweep_quarantine
from tutela.collect.weblog.ingest import salts_for
from tutela.legal_holds import LegalHold
from tutela.retention.sweep import SweepResult, sweep
from tutela.store import Store, utcnow


@dataclass(frozen=True)
class RetentionRun:
    """What one run deleted, cleared and kept, and how many salts it destroyed."""

    result: SweepResult
    salts_destroyed: int
    as_of: dt.datetime
    former: FormerCustomers
    quarantine_files_deleted: int


def run_retention(
    store: Store,
    *,
    data_dir: Path,
    actor: str,
    holds: Sequence[LegalHold] = (),
    former_customer_days: int = 0,
    quarantine_days: int = 90,
    now: dt.datetime | None = None,
) -> RetentionRun:
    """Sweep the fixed periods as of `now` (default: now, UTC), destroy the
    visitor-hash salts of every day before that day, erase the data of
    accounts closed more than `former_customer_days` ago (except what `holds`
    keep) and delete quarantine files older than `quarantine_days`; audited
    as `actor`."""
    when = now or utcnow()
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when
    result = sweep(store, now=when)
    today = when.date()
    salts_destroyed = salts_for(data_dir).destroy_before(today)
    former = sweep_former_customers(
        store, holds=holds, grace_days=former_customer_days, now=when
    )
    quarantine_files = sweep_quarantine(store, days=quarantine_days, now=when)
    record(
        store,
        actor=actor,
        action="retention.swept",
        details={
            "deleted": result.deleted,
            "cleared": result.cleared,
            "cases_deleted": result.cases_deleted,
            "kept": sorted(result.kept),
            "not_swept": result.not_swept,
            "salts_destroyed": salts_destroyed,
            "former_customers": former.as_dict(),
            "quarantine_files_deleted": quarantine_files,
        },
    )
    return RetentionRun(result, salts_destroyed, when, former, quarantine_files)
