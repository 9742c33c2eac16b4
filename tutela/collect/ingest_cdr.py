"""Ingest a CDR file into the store: every call kept, nothing twice, nothing lost.

Policy clause ``collect.service_use.call_records``: "Jive automatically
collects source, destination, and duration information for every phone call
placed or received using its services." Every record the parser yields is
either stored, found to be stored already (a duplicate) or quarantined with
its file, line and reason; the summary counts all three.

- Numbers are read as dialled in the owning account's region: valid numbers
  are kept in E.164, short internal extensions as extensions, and the raw
  value always (`tutela.collect.numbers`).
- The owning account is the one whose ``ref`` is the record's accountcode,
  else the one that owns its source or destination number, else the default
  account given by the caller. A record with none is rejected, never dropped.
- Idempotent: rows are inserted with ``ON CONFLICT (dedupe_key) DO NOTHING``
  and a conflict counts as a duplicate, so re-reading a file, or an
  overlapping one, adds nothing.

Transaction boundary: one transaction per chunk of `CHUNK_ROWS` records, so a
long ingest never holds the write lock for long. The parsers yield records
only once the file is recognised as the declared format, and raise
`InvalidInput` (file unusable) only before that, so a refused file stores
nothing and its quarantine file is removed. A run cut short (crash, kill)
keeps the chunks already committed; running it again stores the rest and
counts the rest as duplicates.

Speed: a chunk goes to the database in one statement round, not through the
ORM: a prepared ``INSERT ... ON CONFLICT DO NOTHING`` executemany on SQLite
(with ``synchronous=NORMAL`` on the run's connection, safe in WAL mode), and
``COPY`` into a temporary table then one ``INSERT ... SELECT ... ON CONFLICT
DO NOTHING`` on PostgreSQL. A file of at least `PIPELINE_MIN_BYTES` is
parsed in a child process while this one stores (``workers``; same results,
see `tutela.collect._cdr_pipeline`). See docs/telephony.md, "Benchmark".
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

import psycopg
from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from tutela.collect import cdr
from tutela.collect._cdr_rows import (
    COLUMNS,
    Chunk,
    Prepared,
    chunks_of,
    owned_values,
    sqlite_stamp,
)
from tutela.collect.numbers import normalize_number
from tutela.collect.quarantine import (
    IngestSummary,
    Quarantine,
    audit_run,
    quarantine_dir,
    record_run,
)
from tutela.errors import InvalidInput, NotFound
from tutela.store.db import Store
from tutela.store.models import Account, CallRecord, PhoneNumber

log = logging.getLogger(__name__)

CHUNK_ROWS: Final = 10_000
# Files at least this big are parsed in a child process by default (`workers`).
PIPELINE_MIN_BYTES: Final = 1 << 20
_CACHE_MAX: Final = 100_000
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Owner:
    """The account a record belongs to, and the region its numbers are read in."""

    id: int
    region: str


class AccountResolver:
    """accountcode -> `Account.ref`, else number -> `PhoneNumber`, else a default.

    Looks up a whole chunk's unknown refs and numbers in one query each; the
    caches are bounded so memory stays flat on any file.
    """

    def __init__(self, default: Owner | None, hint_region: str) -> None:
        self.default = default
        self.hint_region = default.region if default else hint_region
        self._by_ref: dict[str, Owner | None] = {}
        self._by_number: dict[str, Owner | None] = {}

    def prepare(
        self, conn: Connection, records: Iterable[tuple[str, str, str]]
    ) -> None:
        """Look up a chunk's (accountcode, src_raw, dst_raw) before `resolve`.

        Refs first; numbers (read in ``hint_region``) only for the records
        whose accountcode is no account's ref.
        """
        records = list(records)
        for cache in (self._by_ref, self._by_number):
            if len(cache) > _CACHE_MAX:
                cache.clear()
        refs = {ref for ref, _, _ in records if ref} - self._by_ref.keys()
        if refs:
            found = conn.execute(
                select(Account.ref, Account.id, Account.region).where(
                    Account.ref.in_(refs)
                )
            )
            for ref, id_, region in found:
                self._by_ref[ref] = Owner(id_, region)
            self._by_ref.update((ref, None) for ref in refs - self._by_ref.keys())
        numbers: set[str] = set()
        by_ref = self._by_ref
        for ref, src_raw, dst_raw in records:
            if by_ref.get(ref) is None:
                numbers.update(self._numbers(src_raw, dst_raw))
        numbers -= self._by_number.keys()
        if numbers:
            found = conn.execute(
                select(PhoneNumber.e164, Account.id, Account.region)
                .join(Account, Account.id == PhoneNumber.account_id)
                .where(PhoneNumber.e164.in_(numbers))
            )
            for e164, id_, region in found:
                self._by_number[e164] = Owner(id_, region)
            self._by_number.update((n, None) for n in numbers - self._by_number.keys())

    def resolve(self, accountcode: str, src_raw: str, dst_raw: str) -> Owner | None:
        """The owner of a record `prepare` has seen, else the default (or None)."""
        owner = self._by_ref.get(accountcode) if accountcode else None
        if owner is not None:
            return owner
        for e164 in self._numbers(src_raw, dst_raw):
            owner = self._by_number.get(e164)
            if owner is not None:
                return owner
        return self.default

    def _numbers(self, src_raw: str, dst_raw: str) -> Iterator[str]:
        """Source then destination in E.164, read in ``hint_region``, where valid."""
        for raw in (src_raw, dst_raw):
            e164 = normalize_number(raw, self.hint_region).e164
            if e164:
                yield e164


def find_owner(store: Store, ref: str) -> Owner:
    """The account with this ref; `NotFound` if there is none."""
    with store.session() as session:
        row = session.execute(
            select(Account.id, Account.region).where(Account.ref == ref)
        ).first()
    if row is None:
        raise NotFound(f"account {ref} does not exist", errors=["field: account"])
    return Owner(row[0], row[1])


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


def _insert_new(conn: Connection, rows: list[tuple[Any, ...]]) -> int:
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


class _Writer:
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
                stored = _insert_new(self.conn, rows)
                summary.stored += stored
                summary.duplicate += len(rows) - stored


@contextmanager
def _ingest_connection(store: Store) -> Iterator[Connection]:
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


def _open(path: Path) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InvalidInput(
            f"cannot read the file ({exc.strerror or type(exc).__name__})",
            file=str(path),
        ) from None


def ingest_cdr(
    store: Store,
    path: Path,
    *,
    format: str,
    tz: str = "UTC",
    account_ref: str | None = None,
    region: str = "US",
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
    workers: int | None = None,
) -> IngestSummary:
    """Ingest one CDR file; see the module docstring for the guarantees.

    ``account_ref`` names the default account for records that no accountcode
    or number ties to one; ``region`` is used to read numbers for that lookup
    when there is no default account. ``progress`` is called with the number
    of bytes read so far after every chunk. Raises `InvalidInput` (nothing
    stored) when the file is unusable, `NotFound` for an unknown account.

    ``workers=2`` parses in a child process while this one stores (see
    `tutela.collect._cdr_pipeline`; same results); ``workers=1`` does it all
    here; the default (None) takes 2 for a regular file of at least
    `PIPELINE_MIN_BYTES` and 1 otherwise (a pipe, a small file).
    """
    if format not in cdr.FORMATS:
        raise InvalidInput(
            f"unknown CDR format; use one of {', '.join(cdr.FORMATS)}", field="format"
        )
    default = find_owner(store, account_ref) if account_ref else None
    summary = IngestSummary(source=str(path), kind="cdr", format=format)
    quarantine = Quarantine(quarantine_dir(store.data_dir), source="cdr")
    with _open(path) as fh, _ingest_connection(store) as conn:
        resolver = AccountResolver(default, region)
        writer = _Writer(conn, resolver, quarantine, summary)
        options: dict[str, Any] = {
            "format": format,
            "source_name": str(path),
            "tz": tz,
            "sqlite": writer.stamp is not None,
            "chunk_rows": chunk_rows,
        }
        if _use_pipeline(fh, workers):
            from tutela.collect import _cdr_pipeline

            chunks = _cdr_pipeline.chunks(path, **options)
        else:
            chunks = chunks_of(fh, **options)
        try:
            for chunk in chunks:
                writer.write(chunk)
                if chunk.full and progress is not None:
                    progress(chunk.position)
        except InvalidInput:
            quarantine.discard()
            _finish(store, summary, status="refused")
            raise
        except BaseException:
            summary.quarantine = quarantine.close()
            raise
        if progress is not None:
            progress(os.fstat(fh.fileno()).st_size)
    summary.quarantine = quarantine.close()
    _finish(store, summary, status="done")
    return summary


def _use_pipeline(fh: IO[bytes], workers: int | None) -> bool:
    """Whether to parse in a child process (see `ingest_cdr`'s ``workers``)."""
    if workers is not None and workers < 1:
        raise InvalidInput("workers must be 1 or more", field="workers")
    if workers == 1:
        return False
    from tutela.collect import _cdr_pipeline

    info = os.fstat(fh.fileno())
    if not stat.S_ISREG(info.st_mode) or not _cdr_pipeline.available():
        return False
    return workers is not None or info.st_size >= PIPELINE_MIN_BYTES


def _finish(store: Store, summary: IngestSummary, *, status: str) -> None:
    with store.session() as session:
        record_run(session, summary, status=status)
    audit_run(store, summary, status=status)
    log.info(
        "ingest.cdr status=%s read=%d stored=%d duplicate=%d rejected=%d",
        status,
        summary.read,
        summary.stored,
        summary.duplicate,
        summary.rejected,
    )


def call_legs(session: Session, *, account_id: int, call_key: str) -> list[CallRecord]:
    """Every stored row of one call (same linkedid), in time order.

    `NotFound` when the account has no call with this key.
    """
    legs = list(
        session.scalars(
            select(CallRecord)
            .where(CallRecord.account_id == account_id, CallRecord.call_key == call_key)
            .order_by(CallRecord.started_at, CallRecord.sequence, CallRecord.id)
        )
    )
    if not legs:
        raise NotFound("no call with this key in this account")
    return legs


__all__ = [
    "CHUNK_ROWS",
    "COLUMNS",
    "PIPELINE_MIN_BYTES",
    "AccountResolver",
    "Owner",
    "call_legs",
    "find_owner",
    "ingest_cdr",
]
