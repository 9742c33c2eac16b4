"""Quarantine files get a retention period too.

Policy: collect.service_use.call_records and collect.service_use.voicemail
(a refused record is kept, with its reason, so nothing is dropped without a
trace) against the retention of the categories it came from: a quarantine
file (`tutela.collect.quarantine`) can hold an excerpt of a call record or
a voicemail header (a caller's number or name), so it is not kept forever.
`tutela retention run` deletes every quarantine file older than
`TUTELA_QUARANTINE_DAYS` (by its last change): the file is overwritten with
random bytes, synced and unlinked, and the ingest runs that named it forget
the path. Only files directly in the quarantine directory are considered,
never a link out of it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from pathlib import Path

from sqlalchemy import update

from tutela.collect.quarantine import quarantine_dir
from tutela.store import Store
from tutela.store.models import IngestRun

log = logging.getLogger(__name__)


def _overwrite_and_unlink(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    try:
        size = os.fstat(fd).st_size
        written = 0
        while written < size:
            written += os.write(fd, secrets.token_bytes(min(1 << 20, size - written)))
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink()


def sweep_quarantine(store: Store, *, days: int, now: dt.datetime) -> int:
    """Delete quarantine files older than `days`; returns how many went."""
    root = quarantine_dir(store.data_dir)
    if not root.is_dir():
        return 0
    cutoff = (now - dt.timedelta(days=days)).timestamp()
    gone: list[str] = []
    for path in sorted(root.iterdir()):
        if path.is_symlink() or not path.is_file():
            continue
        if path.stat().st_mtime >= cutoff:
            continue
        _overwrite_and_unlink(path)
        gone.append(str(path))
    if gone:
        with store.session() as session:
            session.execute(
                update(IngestRun)
                .where(IngestRun.quarantine_path.in_(gone))
                .values(quarantine_path=None)
            )
    log.info("retention.quarantine files=%d", len(gone))
    return len(gone)


__all__ = ["sweep_quarantine"]
