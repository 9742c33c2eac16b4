"""Two processes appending at once never fork the chain (SQLite and PostgreSQL),
and their checkpoints never disorder the witness."""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.synchronize import Event

import pytest

from tutela.audit import AuditLog, audit_log, read_witness
from tutela.audit.witness import DEFAULT_WITNESS
from tutela.config import Settings
from tutela.store.db import Store, open_store

PER_WRITER = 60


def _writer(settings: Settings, writer: int, start: Event, every: int = 0) -> None:
    store = open_store(settings, migrate=False)
    try:
        log = (
            AuditLog(store.engine, store.data_dir, checkpoint_every=every)
            if every
            else audit_log(store)
        )
        start.wait(30)
        for i in range(PER_WRITER):
            log.append(actor=f"staff:{writer}", action="admin.tick", subjects=[i])
            if every and i % 4 == writer:
                log.checkpoint()
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


@pytest.mark.clause("secure.measures")
def test_concurrent_checkpoints_keep_the_witness_numbered_and_rising(
    store: Store, settings: Settings
) -> None:
    audit_log(store).append(actor="staff:0", action="admin.start")
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    writers = [
        ctx.Process(target=_writer, args=(settings, w, start, 3)) for w in (1, 2)
    ]
    for p in writers:
        p.start()
    start.set()
    for p in writers:
        p.join(120)
        assert p.exitcode == 0
    records = read_witness(store.data_dir / DEFAULT_WITNESS).records
    assert [r.n for r in records] == list(range(1, len(records) + 1))
    seqs = [r.seq for r in records]
    assert seqs == sorted(set(seqs)) and len(seqs) > PER_WRITER // 3
    report = audit_log(store).verify()
    assert report.ok, report.problem
    assert report.witness_head_seq == seqs[-1]
