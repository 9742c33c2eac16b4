"""Ingest runs from start to end: written when they start, settled when they die.

Clauses collect.service_use.call_records and collect.service_use.voicemail
("every phone call": no run disappears without a trace) and secure.measures
(ingest runs are appended to the audit log).

A run is an `IngestRun` row written as ``running`` (with this host's name
and the process id) before the first record is read, committed on its own,
and an audit entry. Its end sets the final status (``done``, ``refused``,
``failed``, or ``interrupted`` for Ctrl-C) and counts, and appends a second
audit entry. A process killed outright (SIGKILL, OOM killer, power cut)
cannot end its run: the next run on the same host finds the ``running`` row
of a process that no longer exists and marks it ``interrupted``, with an
audit entry. What the killed run had committed stays (each chunk, message
or file commits whole); running the ingest again stores the rest.

A run on another host cannot be checked from here and stays ``running``
until a run on its own host settles it. A process id reused by an unrelated
process keeps the run ``running`` until that process ends (never marked
interrupted while a process of that id is alive).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from pathlib import Path
from typing import Final

from sqlalchemy import select

from tutela.audit.log import record
from tutela.collect.quarantine import IngestSummary, audit_run, safe_text
from tutela.store import Store, utcnow
from tutela.store.models import IngestRun

log = logging.getLogger(__name__)

RUNNING: Final = "running"
INTERRUPTED: Final = "interrupted"
HOST: Final = socket.gethostname()[:255]


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (a zombie does not count)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc: trust the signal check
    # The state follows the command name in parentheses; Z is a zombie.
    state = stat.rpartition(")")[2].split()[:1]
    return state != ["Z"]


def settle_interrupted(store: Store, *, now: dt.datetime | None = None) -> list[int]:
    """Mark this host's ``running`` runs whose process is gone as ``interrupted``."""
    moment = now or utcnow()
    settled: list[tuple[int, str, dict[str, object]]] = []
    with store.writing() as session:
        rows = session.scalars(
            select(IngestRun).where(IngestRun.status == RUNNING, IngestRun.host == HOST)
        ).all()
        for run in rows:
            if run.pid is not None and process_alive(run.pid):
                continue
            run.status = INTERRUPTED
            run.finished_at = moment
            settled.append(
                (
                    run.id,
                    run.kind,
                    {
                        "status": INTERRUPTED,
                        "run_id": run.id,
                        "read": run.read,
                        "stored": run.stored,
                        "duplicate": run.duplicate,
                        "rejected": run.rejected,
                    },
                )
            )
    for run_id, kind, details in settled:
        record(store, actor="system:ingest", action=f"ingest.{kind}", details=details)
        log.warning("ingest.interrupted run_id=%d kind=%s", run_id, kind)
    return [run_id for run_id, _, _ in settled]


def begin_run(store: Store, summary: IngestSummary) -> int:
    """Write the run as ``running`` (after settling dead ones); its id."""
    settle_interrupted(store)
    with store.writing() as session:
        run = IngestRun(
            kind=summary.kind,
            source_name=safe_text(summary.source)[-500:],
            source_format=summary.format,
            status=RUNNING,
            read=0,
            stored=0,
            duplicate=0,
            rejected=0,
            started_at=summary.started_at,
            finished_at=None,
            host=HOST,
            pid=os.getpid(),
        )
        session.add(run)
        session.flush()
        run_id = run.id
    record(
        store,
        actor="system:ingest",
        action=f"ingest.{summary.kind}",
        details={"status": RUNNING, "run_id": run_id},
    )
    return run_id


def end_run(store: Store, run_id: int, summary: IngestSummary, *, status: str) -> None:
    """Give the run its final status and counts, and append it to the audit log."""
    with store.writing() as session:
        run = session.get(IngestRun, run_id)
        if run is not None:
            run.status = status
            run.read = summary.read
            run.stored = summary.stored
            run.duplicate = summary.duplicate
            run.rejected = summary.rejected
            run.quarantine_path = (
                str(summary.quarantine)[-500:] if summary.quarantine else None
            )
            run.finished_at = utcnow()
    audit_run(store, summary, status=status, run_id=run_id)


def end_run_failed(
    store: Store, run_id: int, summary: IngestSummary, exc: BaseException
) -> None:
    """End a run cut short by an exception: ``interrupted`` (Ctrl-C) or ``failed``.

    Best effort: when the store itself is what failed, the run stays
    ``running`` and the next run settles it; the original error is what the
    caller re-raises.
    """
    status = INTERRUPTED if isinstance(exc, KeyboardInterrupt) else "failed"
    try:
        end_run(store, run_id, summary, status=status)
    except Exception as problem:  # noqa: BLE001 - never mask the original error
        log.error(
            "ingest.end_failed run_id=%d error=%s", run_id, type(problem).__name__
        )


__all__ = [
    "HOST",
    "INTERRUPTED",
    "RUNNING",
    "begin_run",
    "end_run",
    "end_run_failed",
    "process_alive",
    "settle_interrupted",
]
