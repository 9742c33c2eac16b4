"""Two CDR ingests at once into one store: both finish, every row is stored.

On SQLite one used to die with "database is locked": a chunk's transaction
read (the owner lookup) before it wrote, and a reader cannot take the write
lock once another writer has committed. Ingest transactions now take the
write lock first and wait for it (busy timeout).
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.collect.cdr.test_ingest import row
from tutela.collect.accounts.contacts import open_account
from tutela.collect.cdr.ingest import ingest_cdr
from tutela.config import Settings
from tutela.store.db import Store, open_store
from tutela.store.models import CallRecord

pytestmark = pytest.mark.clause("collect.service_use.call_records")

ROWS = 3000


def _ingest(settings: Settings, path: Path, start: Event) -> None:
    store = open_store(settings, migrate=False)
    try:
        start.wait(30)
        summary = ingest_cdr(
            store,
            path,
            format="asterisk-csv",
            account_ref="ACME",
            chunk_rows=50,
            workers=1,
        )
        assert summary.stored == ROWS
    finally:
        store.close()


@pytest.mark.postgresql
def test_two_concurrent_ingests_both_store_everything(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    with store.session() as session:
        open_account(session, organization="Acme Dental", ref="ACME")
    files = []
    for writer in (1, 2):
        path = tmp_path / f"writer{writer}.csv"
        path.write_text(
            "".join(
                # Unknown accountcodes: every chunk looks its owners up first.
                row(code=f"X{writer}-{n}", uid=f"{writer}.{n}", linked=f"{writer}.{n}")
                for n in range(ROWS)
            ),
            encoding="utf-8",
        )
        files.append(path)
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    writers = [ctx.Process(target=_ingest, args=(settings, f, start)) for f in files]
    for process in writers:
        process.start()
    start.set()
    for process in writers:
        process.join(180)
    assert [p.exitcode for p in writers] == [0, 0]
    with store.session() as session:
        count = session.scalar(select(func.count()).select_from(CallRecord))
    assert count == 2 * ROWS
