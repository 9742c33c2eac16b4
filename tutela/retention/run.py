"""One retention run: the fixed periods swept, past days' salts destroyed, audited.

Clauses: secure.measures (the run is recorded as the staff member who ran
it), collect.web_use.web_activity and collect.web_use.ad_clicks (website activity and ad
clicks kept for the policy's fixed periods), scope.web_unlinked (the
visitor-hash salts of every day before today are destroyed, so no earlier
visitor hash can ever be recomputed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from tutela.audit.log import record
from tutela.collect.weblog.ingest import salts_for
from tutela.retention.sweep import SweepResult, sweep
from tutela.store import Store


@dataclass(frozen=True)
class RetentionRun:
    """What one run deleted, cleared and kept, and how many salts it destroyed."""

    result: SweepResult
    salts_destroyed: int
    as_of: dt.datetime


def run_retention(
    store: Store, *, data_dir: Path, actor: str, now: dt.datetime | None = None
) -> RetentionRun:
    """Sweep the fixed periods as of `now` (default: now, UTC), then destroy the
    visitor-hash salts of every day before that day; audited as `actor`."""
    when = now or dt.datetime.now(dt.UTC)
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when
    result = sweep(store, now=when)
    today = when.date()
    salts_destroyed = salts_for(data_dir).destroy_before(today)
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
        },
    )
    return RetentionRun(result, salts_destroyed, when)
