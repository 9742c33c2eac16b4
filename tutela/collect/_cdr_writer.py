"""Writing prepared CDR chunks: one transaction per chunk, nothing stored twice.

Policy clause ``collect.service_use.call_records``: each prepared record is
stored under its owner, or quarantined with its line and reason; rows whose
dedupe key is stored already are counted as duplicates, never written again.
See `tutela.collect.ingest_cdr` for the whole ingest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import psycopg
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql

from tutela.collect._cdr_owners import AccountResolver
from tutela.collect._cdr_rows import (
    COLUMNS,
    Chunk,
    Prepared,
    owned_values,
    sqlite_stamp,
)
from tutela.collect.quarantine import IngestSummary, Quarantine
from tutela.store.db import Store
from tutela.store.models import CallRecord

_INSERT_COLUMNS: Final = ", ".join((*COLUMNS, "created_at"))
_SQLITE_INSERT: Final = (
    f"INSERT INTO call_records ({_INSERT_COLUMNS}) "
    f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))}) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)
_PG_COPY: Final = f"COPY call_records ({_INSERT_COLUMNS}) FROM STDIN (FORMAT BINARY)"
# The PostgreSQL types of `COLUMNS` + created_at ("varchar", "bigint", ...),
# for the binary ``COPY``; read off the model so the two cannot drift apart.
_PG_DIALECT: Final = postgresql.dialect()  # type: ignore[no-untyped-call]
_PG_TYPES: Final = [
    CallRecord.__table__.c[name].type.compile(dialect=_PG_DIALECT).split("(")[0].lower()
    for name in (*COLUMNS, "created_at")
]
_PG_EXISTING: Final = "SELECT dedupe_key FROM call_records WHERE dedupe_key = ANY(%s)"
_PG_LOAD: Final = "tutela_cdr_load"
_PG_CREATE: Final = (
    f"CREATE TEMP TABLE {_PG_LOAD} ON COMMIT DROP AS "
    f"SELECT 0::bigint AS ord, {_INSERT_COLUMNS} FROM call_records WITH NO DATA"
)
_PG_LOAD_COPY: Final = f"COPY {_PG_LOAD} (ord, {_INSERT_COLUMNS}) FROM STDIN"
_PG_INSERT: Final = (
    f"INSERT INTO call_records ({_INSERT_COLUMNS}) "
    f"SELECT {_INSERT_COLUMNS} FROM {_PG_LOAD} ORDER BY ord "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)
_KEY: Final = COLUMNS.index("dedupe_key")


def insert_new(conn: Connection, rows: list[tuple[Any, ...]]) -> int:
    """Insert rows (`COLUMNS` + created_at) whose dedupe key is new; count them.

    The first of two rows with one key wins; the driver's row count is the
    number stored. Runs in the chunk's transaction.

    - SQLite: one prepared ``INSERT ... ON CONFLICT DO NOTHING`` executemany.
    - PostgreSQL: the keys already stored are looked up (one indexed
      ``= ANY`` query), and the new rows are ``COPY``'d straight into the
      table, under a savepoint. Should another writer store one of the keys
      in between, the ``COPY`` fails on the unique index and the chunk goes
      the careful way (`_insert_via_load_table`).
    """
    if conn.dialect.name != "postgresql":
        return int(conn.exec_driver_sql(_SQLITE_INSERT, rows).rowcount)
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cur:
        cur.execute(_PG_EXISTING, ([row[_KEY] for row in rows],), binary=True)
        seen = {key for (key,) in cur}
        fresh = []
        for row in rows:
            key = row[_KEY]
            if key not in seen:
                seen.add(key)
                fresh.append(row)
        if not fresh:
            return 0
        try:
            with conn.begin_nested(), cur.copy(_PG_COPY) as copy:
                copy.set_types(_PG_TYPES)
                for row in fresh:
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation:
            return _insert_via_load_table(cur, rows)
    return len(fresh)


def _insert_via_load_table(cur: Any, rows: list[tuple[Any, ...]]) -> int:
    """``COPY`` into a temporary table, then ``INSERT ... SELECT ... ON CONFLICT
    DO NOTHING`` in file order: right whatever other writers do meanwhile."""
    cur.execute(_PG_CREATE)
    with cur.copy(_PG_LOAD_COPY) as copy:
        for ord_, row in enumerate(rows):
            copy.write_row((ord_, *row))
    cur.execute(_PG_INSERT)
    stored = int(cur.rowcount)
    cur.execute(f"DROP TABLE {_PG_LOAD}")
    return stored


_NO_OWNER: Final = (
    "no account: accountcode is not an account ref, no number "
    "belongs to an account, and no default account was given"
)


class ChunkWriter:
    """Writes chunks of prepared records, one transaction per chunk."""

    def __init__(
        self,
        conn: Connection,
        resolver: AccountResolver,
        quarantine: Quarantine,
        summary: IngestSummary,
    ) -> None:
        self.conn, self.resolver = conn, resolver
        self.quarantine, self.summary = quarantine, summary
        self.stamp = None if conn.dialect.name == "postgresql" else sqlite_stamp

    def write(self, chunk: Chunk) -> None:
        """Count and quarantine the chunk's rejections, store its records."""
        summary, quarantine = self.summary, self.quarantine
        summary.read += len(chunk.rejections) + len(chunk.records)
        for rejection in chunk.rejections:
            quarantine.add_rejection(rejection)
        summary.rejected += len(chunk.rejections)
        if chunk.records:
            self._store(chunk.records)

    def _store(self, records: list[Prepared]) -> None:
        stamp, resolve = self.stamp, self.resolver.resolve
        now = dt.datetime.now(dt.UTC)
        created_at = now if stamp is None else stamp(now)
        summary = self.summary
        with self.conn.begin():
            self.resolver.prepare(self.conn, ((r[1], r[3], r[4]) for r in records))
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
            if rows:
                stored = insert_new(self.conn, rows)
                summary.stored += stored
                summary.duplicate += len(rows) - stored


@contextmanager
def ingest_connection(store: Store) -> Iterator[Connection]:
    """One connection for the run; on SQLite, ``synchronous=NORMAL`` meanwhile.

    In WAL mode NORMAL keeps the database consistent on power loss and only
    risks the last commits, which a re-run stores again (keys are
    idempotent). The connection's own setting is restored afterwards.
    """
    with store.engine.connect() as conn:
        driver: Any = conn.connection.driver_connection
        if conn.dialect.name != "sqlite":
            yield conn
            return
        previous = int(driver.execute("PRAGMA synchronous").fetchone()[0])
        driver.execute("PRAGMA synchronous=NORMAL")
        try:
            yield conn
        finally:
            driver.execute(f"PRAGMA synchronous={previous}")
