"""Two processes appending at once never fork the chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.synchronize import Event

import pytest

from tutela.audit import audit_log
from tutela.config import Settings
from tutela.store.db import Store, open_store

PER_WRITER = 60


def _writer(settings: Settings, writer: int, start: Event) -> None:
    store = open_store(settings, migrate=False)
    try:
        log = audit_log(store)
        start.wait(30)
        for i in range(PER_WRITER):
            log.append(actor=f"staff:{writer}", action="admin.tick", subjects=[i])
    finally:
        store.close()


@pytest.mark.postgresql
@pytest.mark.clause("secure.measures")
def test_concurrent_writers_never_fork_the_chain(
    store: Store, settings: Settings
) -> None:
    audit_log(store).append(actor="staff:0", action="admin.start")
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    writers = [ctx.Process(target=_writer, args=(settings, w, start)) for w in (1, 2)]
    for p in writers:
        p.start()
    start.set()
    for p in writers:
        p.join(120)
        assert p.exitcode == 0
    report = audit_log(store).verify()
    assert report.ok, report.problem
    assert report.entries == 1 + 2 * PER_WRITER
