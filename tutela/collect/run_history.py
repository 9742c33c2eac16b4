"""Ingest runs and their quarantined records, for the console.

Clauses: collect.service_use.call_records (no call silently dropped: every
run says how many records it read, stored, skipped as duplicates and
refused, and every refused record is kept in quarantine with its file,
line, field and reason). The console shows where and why a record was
refused, never the record itself (its excerpt may hold personal data; it
stays in the private quarantine file for the operator).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from tutela.collect.quarantine import quarantine_dir, read_quarantine
from tutela.errors import NotFound
from tutela.store import Store, utc_aware
from tutela.store.models import IngestRun

PAGE_SIZE = 50
MAX_SHOWN = 500


@dataclass(frozen=True)
class RunRow:
    id: int
    kind: str
    source_name: str
    source_format: str | None
    status: str
    read: int
    stored: int
    duplicate: int
    rejected: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    has_quarantine: bool


@dataclass(frozen=True)
class Refused:
    file: str
    line: int | None
    field: str | None
    reason: str


def _row(run: IngestRun) -> RunRow:
    return RunRow(
        id=run.id,
        kind=run.kind,
        source_name=Path(run.source_name).name,
        source_format=run.source_format,
        status=run.status,
        read=run.read,
        stored=run.stored,
        duplicate=run.duplicate,
        rejected=run.rejected,
        started_at=utc_aware(run.started_at),
        finished_at=utc_aware(run.finished_at) if run.finished_at else None,
        has_quarantine=bool(run.quarantine_path),
    )


def list_runs(store: Store, *, page: int = 1) -> tuple[list[RunRow], int]:
    """Newest runs first, a page at a time; and the total number of runs."""
    with store.session() as session:
        total = int(session.scalar(select(func.count()).select_from(IngestRun)) or 0)
        runs = session.scalars(
            select(IngestRun)
            .order_by(IngestRun.id.desc())
            .offset((max(page, 1) - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        return [_row(r) for r in runs], total


def run_with_refusals(
    store: Store, run_id: int, *, data_dir: Path
) -> tuple[RunRow, list[Refused]]:
    """One run and its quarantined records (where and why; at most 500 shown)."""
    with store.session() as session:
        run = session.get(IngestRun, run_id)
        if run is None:
            raise NotFound(f"ingest run {run_id} does not exist")
        row, path = _row(run), run.quarantine_path
    refused: list[Refused] = []
    if path:
        file = Path(path)
        # Only a file inside this data directory's quarantine is ever opened.
        inside = quarantine_dir(data_dir).resolve()
        if file.resolve().parent == inside and file.is_file():
            for record in read_quarantine(file)[:MAX_SHOWN]:
                refused.append(
                    Refused(
                        file=Path(str(record.get("file", ""))).name,
                        line=record.get("line"),
                        field=record.get("field"),
                        reason=str(record.get("reason", "")),
                    )
                )
    return row, refused
