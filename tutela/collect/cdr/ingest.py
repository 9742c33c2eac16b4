"""Ingest a CDR file into the store: every call kept, nothing twice, nothing lost.

Policy clause ``collect.service_use.call_records``: "Jive automatically
collects source, destination, and duration information for every phone call
placed or received using its services." Every record the parser yields is
either stored, found to be stored already (a duplicate) or quarantined with
its file, line and reason; the summary counts all three.

- Numbers are read as dialled in the owning account's region: valid numbers
  are kept in E.164, short internal extensions as extensions, and the raw
  value always (`tutela.collect.accounts.numbers`).
- The owning account is the one whose ``ref`` is the record's accountcode,
  else the one that owns its source or destination number, else the default
  account given by the caller. A record with none is rejected, never dropped.
- Idempotent: the dedupe key is unique and a row whose key is stored already
  counts as a duplicate, so re-reading a file, or an overlapping one, adds
  nothing.

Transaction boundary: one transaction per chunk of `CHUNK_ROWS` records, so a
long ingest never holds the write lock for long. The parsers yield records
only once the file is recognised as the declared format, and raise
`InvalidInput` (file unusable) only before that, so a refused file stores
nothing and its quarantine file is removed. A run cut short (crash, kill)
keeps the chunks already committed (its run is recorded as ``running`` from
the start and marked ``interrupted`` by the next run, `tutela.collect.runs`);
running it again stores the rest and counts the rest as duplicates.

Speed: a chunk goes to the database in one statement round, not through the
ORM: a prepared ``INSERT ... ON CONFLICT DO NOTHING`` executemany on SQLite
(with ``synchronous=NORMAL`` on the run's connection, safe in WAL mode), a
binary ``COPY`` from a second connection on PostgreSQL (`writer`).
Asterisk rows in UTC are built by a quick path that skips the intermediate
record (`_quick`). A file of at least `PIPELINE_MIN_BYTES`
is parsed in a child process while this one stores (``workers``; same
results, see `tutela.collect.cdr.pipeline`). See docs/telephony.md,
"Benchmark".

The parts: `formats` (the parsers), `rows` (a record's stored values),
`_quick` (the same straight from Asterisk rows), `_chunks` (a file as chunks
of them), `pipeline` (the parsing process), `owners` (which account),
`writer` (the database).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Final

from sqlalchemy.orm import Session

from tutela.access.reads import call_legs as read_call_legs
from tutela.collect._gate import reading
from tutela.collect.cdr import pipeline
from tutela.collect.cdr._chunks import chunks_of
from tutela.collect.cdr.formats import FORMATS
from tutela.collect.cdr.owners import AccountResolver, Owner, find_owner
from tutela.collect.cdr.rows import COLUMNS
from tutela.collect.cdr.writer import chunk_writer
from tutela.collect.quarantine import IngestSummary, Quarantine, quarantine_dir
from tutela.collect.runs import begin_run, end_run, end_run_failed
from tutela.errors import InvalidInput
from tutela.store import Store
from tutela.store.models import CallRecord

log = logging.getLogger(__name__)

CHUNK_ROWS: Final = 10_000
# Files at least this big are parsed in a child process by default (`workers`).
PIPELINE_MIN_BYTES: Final = 1 << 20
Progress = Callable[[int], None]


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
    `tutela.collect.cdr.pipeline`; same results); ``workers=1`` does it all
    here; the default (None) takes 2 for a regular file of at least
    `PIPELINE_MIN_BYTES` and 1 otherwise (a pipe, a small file).
    """
    if format not in FORMATS:
        raise InvalidInput(
            f"unknown CDR format; use one of {', '.join(FORMATS)}", field="format"
        )
    default = find_owner(store, account_ref) if account_ref else None
    summary = IngestSummary(source=str(path), kind="cdr", format=format)
    quarantine = Quarantine(quarantine_dir(store.data_dir), source="cdr")
    resolver = AccountResolver(default, region)
    with _open(path) as fh:
        run_id = begin_run(store, summary)
        options: dict[str, Any] = {
            "format": format,
            "source_name": str(path),
            "tz": tz,
            "sqlite": store.engine.dialect.name != "postgresql",
            "chunk_rows": chunk_rows,
        }
        if _use_pipeline(fh, workers):
            chunks = pipeline.chunks(path, **options)
        else:
            chunks = chunks_of(fh, **options)
        try:
            with chunk_writer(store, resolver, quarantine, summary) as writer:
                for chunk in chunks:
                    writer.write(chunk)
                    if chunk.full and progress is not None:
                        progress(chunk.position)
        except InvalidInput:
            quarantine.discard()
            _finish(store, run_id, summary, status="refused")
            raise
        except BaseException as exc:
            summary.close_quarantine(quarantine)
            end_run_failed(store, run_id, summary, exc)
            raise
        if progress is not None:
            progress(os.fstat(fh.fileno()).st_size)
    summary.close_quarantine(quarantine)
    _finish(store, run_id, summary, status="done")
    return summary


def _use_pipeline(fh: IO[bytes], workers: int | None) -> bool:
    """Whether to parse in a child process (see `ingest_cdr`'s ``workers``)."""
    if workers is not None and workers < 1:
        raise InvalidInput("workers must be 1 or more", field="workers")
    if workers == 1:
        return False
    info = os.fstat(fh.fileno())
    if not stat.S_ISREG(info.st_mode) or not pipeline.available():
        return False
    return workers is not None or info.st_size >= PIPELINE_MIN_BYTES


def _finish(store: Store, run_id: int, summary: IngestSummary, *, status: str) -> None:
    end_run(store, run_id, summary, status=status)
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

    `NotFound` when the account has no call with this key. A gate read
    inside ``session`` (`tutela.access.reads.calls.call_legs`).
    """
    with reading(session) as use:
        return read_call_legs(use, account_id=account_id, call_key=call_key)


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
