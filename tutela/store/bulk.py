"""Bulk loading: the store's one path to the database driver's own cursor.

Clauses: collect.service_use.call_records (every call detail record is
stored: a run of millions of rows is loaded by ``COPY`` on PostgreSQL),
use.purposes (nothing reads personal data around the purpose gate: a raw
driver cursor is invisible to the gate's runtime backstop, so this module is
the only place outside the store's connection set-up that may use one, and
it only writes; `tests/test_layering.py` refuses a raw cursor anywhere else).

- `copy_new_rows` inserts rows whose unique key is new, by binary ``COPY``
  on PostgreSQL, and counts them;
- `relaxed_sync` runs a bulk load on SQLite with ``synchronous=NORMAL``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql

from tutela.store.models import Base

_PG_DIALECT: Final = postgresql.dialect()  # type: ignore[no-untyped-call]
_LOAD: Final = "tutela_bulk_load"


@lru_cache(maxsize=16)
def _pg_types(table: Table, columns: tuple[str, ...]) -> list[str]:
    # The PostgreSQL types for the binary COPY, read off the model so the two
    # cannot drift apart ("varchar", "bigint", ...).
    return [
        table.c[name].type.compile(dialect=_PG_DIALECT).split("(")[0].lower()
        for name in columns
    ]


def copy_new_rows(
    conn: Connection,
    model: type[Base],
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    key: str,
) -> int:
    """Insert `rows` (values of `columns`) of `model` whose `key` is new; count them.

    PostgreSQL only, in a transaction of its own on `conn`. The rows are
    ``COPY``'d straight into the table (binary). When a key is stored
    already (a re-run, an overlapping file, another writer), the unique
    index stops the ``COPY``, the transaction is rolled back and the rows go
    the careful way: ``COPY`` into a temporary table, then ``INSERT ...
    SELECT ... ON CONFLICT DO NOTHING`` in the given order, right whatever
    other writers do meanwhile. No look-up of the keys beforehand: its plan
    depends on the table's statistics, and a sequential scan per chunk
    would be ruinous.
    """
    import psycopg  # here, not at start-up: only a PostgreSQL run needs it

    table = model.__table__
    assert isinstance(table, Table)
    names = tuple(columns)
    listed = ", ".join(names)
    types = _pg_types(table, names)
    driver: Any = conn.connection.driver_connection
    try:
        with conn.begin(), driver.cursor() as cur:
            with cur.copy(
                f"COPY {table.name} ({listed}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        return len(rows)
    except psycopg.errors.UniqueViolation:
        pass
    with conn.begin(), driver.cursor() as cur:
        # A schema-only copy of the table (WITH NO DATA): no row is read.
        cur.execute(
            f"CREATE TEMP TABLE {_LOAD} ON COMMIT DROP AS SELECT 0::bigint AS ord, "
            f"{listed} FROM {table.name} WITH NO DATA"
        )
        with cur.copy(f"COPY {_LOAD} (ord, {listed}) FROM STDIN") as copy:
            for ord_, row in enumerate(rows):
                copy.write_row((ord_, *row))
        cur.execute(
            f"INSERT INTO {table.name} ({listed}) SELECT {listed} FROM {_LOAD} "
            f"ORDER BY ord ON CONFLICT ({key}) DO NOTHING"
        )
        stored = int(cur.rowcount)
        cur.execute(f"DROP TABLE {_LOAD}")
        return stored


@contextmanager
def relaxed_sync(conn: Connection) -> Iterator[Connection]:
    """On SQLite, ``synchronous=NORMAL`` on `conn` meanwhile (restored after).

    In WAL mode NORMAL keeps the database consistent on power loss and only
    risks the last commits, which a re-run of an idempotent load stores
    again. No effect on other databases.
    """
    if conn.dialect.name != "sqlite":
        yield conn
        return
    driver: Any = conn.connection.driver_connection
    previous = int(driver.execute("PRAGMA synchronous").fetchone()[0])
    driver.execute("PRAGMA synchronous=NORMAL")
    try:
        yield conn
    finally:
        driver.execute(f"PRAGMA synchronous={previous}")


__all__ = ["copy_new_rows", "relaxed_sync"]
