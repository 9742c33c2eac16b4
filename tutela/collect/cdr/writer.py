"""Writing prepared CDR chunks: one transaction per chunk, nothing stored twice.

Policy clause ``collect.service_use.call_records``: each prepared record is
stored under its owner, or quarantined with its line and reason; rows whose
dedupe key is stored already are counted as duplicates, never written again.
See `tutela.collect.cdr.ingest` for the whole ingest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import Connection

from tutela.access import Access, access
from tutela.collect._gate import COLLECT, DELIVER
from tutela.collect.cdr._chunks import Chunk
from tutela.collect.cdr.owners import AccountResolver
from tutela.collect.cdr.rows import COLUMNS, Prepared, owned_values, sqlite_stamp
from tutela.collect.quarantine import IngestSummary, Quarantine
from tutela.store import Store, copy_new_rows, relaxed_sync, utcnow, write_first
from tutela.store.models import CallRecord

log = logging.getLogger(__name__)

_INSERT_COLUMNS: Final = ", ".join((*COLUMNS, "created_at"))
_SQLITE_INSERT: Final = (
    f"INSERT INTO call_records ({_INSERT_COLUMNS}) "
    f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))}) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)


def insert_sqlite(conn: Connection, rows: list[tuple[Any, ...]]) -> int:
    """Insert rows (`COLUMNS` + created_at) whose dedupe key is new; count them.

    One prepared ``INSERT ... ON CONFLICT DO NOTHING`` executemany, in the
    caller's transaction: the first of two rows with one key wins, and the
    row count is the number stored.
    """
    return int(conn.exec_driver_sql(_SQLITE_INSERT, rows).rowcount)


def insert_postgresql(conn: Connection, rows: list[tuple[Any, ...]]) -> int:
    """`insert_sqlite` for PostgreSQL, in a transaction of its own.

    The rows are ``COPY``'d straight into the table by the store's bulk
    path (`tutela.store.copy_new_rows`), which counts exactly when some keys
    are stored already.
    """
    return copy_new_rows(
        conn, CallRecord, (*COLUMNS, "created_at"), rows, key="dedupe_key"
    )


_NO_OWNER: Final = (
    "no account: accountcode is not an account ref, no number "
    "belongs to an account, and no default account was given"
)


class ChunkWriter:
    """Writes chunks of prepared records, one transaction per chunk.

    Owners are looked up on ``conn``, through the purpose gate opened inside
    the chunk's transaction (`_chunk`): their `use.grant` entries commit with
    the chunk. On SQLite rows are inserted there too, in the same transaction. On PostgreSQL ``inserts`` gives another
    connection and a one-thread pool: a chunk's insert runs there, in its own
    transaction, while the next chunk is prepared (the thread mostly waits
    for the server, without the GIL). At most one
    chunk is in flight; its counts are added when the next one is submitted
    and by `drain`. Make one with `chunk_writer`.
    """

    def __init__(
        self,
        store: Store,
        conn: Connection,
        resolver: AccountResolver,
        quarantine: Quarantine,
        summary: IngestSummary,
        inserts: tuple[Connection, ThreadPoolExecutor] | None = None,
    ) -> None:
        self.store, self.conn, self.resolver = store, conn, resolver
        self.quarantine, self.summary = quarantine, summary
        self.stamp = None if conn.dialect.name == "postgresql" else sqlite_stamp
        self._inserts = inserts
        self._in_flight: tuple[int, Future[int]] | None = None

    def write(self, chunk: Chunk) -> None:
        """Count and quarantine the chunk's rejections, store its records."""
        summary, quarantine = self.summary, self.quarantine
        summary.read += len(chunk.rejections) + len(chunk.records)
        for rejection in chunk.rejections:
            quarantine.add_rejection(rejection)
        summary.rejected += len(chunk.rejections)
        if not chunk.records:
            return
        if self._inserts is None:
            with self._chunk() as use:
                rows = self._rows(use, chunk.records)
                if rows:
                    self._count(len(rows), insert_sqlite(self.conn, rows))
            return
        with self._chunk() as use:
            rows = self._rows(use, chunk.records)
        self.drain()
        if rows:
            conn, pool = self._inserts
            self._in_flight = (
                len(rows),
                pool.submit(insert_postgresql, conn, rows),
            )

    @contextmanager
    def _chunk(self) -> Iterator[Access]:
        """A transaction on ``conn`` and a gate inside it, for one chunk.

        The session owns the transaction (it begins and ends it on ``conn``),
        so a refusal by the gate is recorded once the chunk is rolled back.
        """
        with self.store.sessions(bind=self.conn) as session, session.begin():
            # Begin on ``conn`` now: the chunk's inserts run there even when
            # the gate has nothing new to read.
            session.connection()
            with access(
                self.store, actor=COLLECT, purpose=DELIVER, within=session
            ) as use:
                yield use

    def drain(self) -> None:
        """Wait for the chunk in flight and count it; raise what its insert raised."""
        if self._in_flight is None:
            return
        (written, future), self._in_flight = self._in_flight, None
        self._count(written, future.result())

    def _count(self, written: int, stored: int) -> None:
        self.summary.stored += stored
        self.summary.duplicate += written - stored

    def _rows(self, use: Access, records: list[Prepared]) -> list[tuple[Any, ...]]:
        """The chunk's rows to insert; records without an owner are quarantined."""
        stamp, resolve = self.stamp, self.resolver.resolve
        now = utcnow()
        created_at = now if stamp is None else stamp(now)
        summary = self.summary
        self.resolver.prepare(use, ((r[1], r[3], r[4]) for r in records))
        rows: list[tuple[Any, ...]] = []
        append = rows.append
        for line, ref, fixed, src_raw, dst_raw, key in records:
            owner = resolve(ref, src_raw, dst_raw)
            if owner is None:
                reason = _NO_OWNER
            elif isinstance(fixed, str):
                reason = fixed
            else:
                append(
                    owned_values(
                        fixed, src_raw, dst_raw, owner.id, owner.region, created_at
                    )
                )
                continue
            self.quarantine.add(
                file=summary.source,
                line=line,
                reason=reason,
                excerpt=f"record {key}",
            )
            summary.rejected += 1
        return rows


@contextmanager
def chunk_writer(
    store: Store,
    resolver: AccountResolver,
    quarantine: Quarantine,
    summary: IngestSummary,
) -> Iterator[ChunkWriter]:
    """A `ChunkWriter` on the run's connection(s); in-flight inserts end with it.

    On PostgreSQL inserts overlap the next chunk's preparation (a second
    connection, one thread). Leaving the block waits for the last insert and
    raises its error, unless another error is already on its way out.
    """
    with ingest_connection(store) as conn:
        if conn.dialect.name != "postgresql":
            yield ChunkWriter(store, conn, resolver, quarantine, summary)
            return
        with (
            store.engine.connect() as insert_conn,
            ThreadPoolExecutor(1, thread_name_prefix="tutela-cdr-insert") as pool,
        ):
            writer = ChunkWriter(
                store, conn, resolver, quarantine, summary, inserts=(insert_conn, pool)
            )
            try:
                yield writer
            except BaseException:
                try:
                    writer.drain()
                except Exception:  # noqa: BLE001 - the first error is the one to raise
                    log.warning("ingest.cdr an insert failed while the run was failing")
                raise
            writer.drain()


@contextmanager
def ingest_connection(store: Store) -> Iterator[Connection]:
    """One connection for the run; on SQLite, ``synchronous=NORMAL`` meanwhile
    and each chunk's transaction takes the write lock first (`write_first`).

    In WAL mode NORMAL keeps the database consistent on power loss and only
    risks the last commits, which a re-run stores again (keys are
    idempotent). The connection's own setting is restored afterwards.
    """
    with store.engine.connect() as conn, relaxed_sync(conn):
        if conn.dialect.name == "sqlite":
            write_first(conn)  # a chunk looks owners up, then inserts
        yield conn
