"""Two-process CDR ingest: a child parses and builds rows, the parent stores them.

The child process reads and parses the file and builds each record's
stored values that need no owner (`_fixed_values`) and the E.164 numbers the
account lookup tries (read in the default account's region, else the
caller's), a chunk of records at a time; the chunks go through a bounded
queue (at most `QUEUE_CHUNKS` in flight, so memory stays flat). The parent
resolves each record's owner (which needs the database), builds the number
columns in the owner's region, and inserts and quarantines exactly as the
single-process path does, in file order, one transaction per chunk.

Start method: ``fork``. The child only runs the parser and `prepare`
and leaves through ``os._exit`` (as every multiprocessing child does), so
it never touches the database connections it inherits; ``spawn`` would
re-import Tutela in the child (about a second of CPU) on every ingest.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import pickle
import queue as queue_mod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from tutela.collect import cdr
from tutela.collect.ingest_cdr import Fixed, _fixed_values, sqlite_stamp
from tutela.collect.numbers import normalize_number
from tutela.errors import InvalidInput

QUEUE_CHUNKS: Final = 3
_POLL_S: Final = 0.5

# A parser rejection as ``Quarantine.add`` takes it: file, line, reason,
# field, excerpt.
RejectionTuple = tuple[str, int | None, str, str | None, str | None]


# One record as the child hands it over (see `prepare`): line, accountcode,
# numbers, owner-free values or the reason it cannot be stored, src_raw,
# dst_raw, dedupe_key. A plain tuple, which pickles fastest.
Prepared = tuple[int, str, tuple[str, ...], Fixed | str, str, str, str]


@dataclass(slots=True)
class Chunk:
    """What the child sends: parser rejections, then records, in file order.

    ``full`` is True when the records fill a chunk (the single-process path
    reports progress then, at ``position`` bytes read).
    """

    rejections: list[RejectionTuple]
    records: list[Prepared]
    full: bool
    position: int


def prepare(
    record: cdr.CdrRecord,
    hint_region: str,
    stamp: Callable[[dt.datetime], str] | None,
) -> Prepared:
    """``record`` as the parent needs it to resolve the owner and build the row.

    ``numbers`` are the E.164 forms the account lookup tries, in its order
    (read in ``hint_region``); the number columns, which depend on the
    owner's region, are left to the parent.
    """
    src_raw, dst_raw = record.src_raw, record.dst_raw
    src = normalize_number(src_raw, hint_region).e164
    dst = normalize_number(dst_raw, hint_region).e164
    numbers: tuple[str, ...] = ()
    if src:
        numbers = (src, dst) if dst else (src,)
    elif dst:
        numbers = (dst,)
    return (
        record.line,
        record.accountcode,
        numbers,
        _fixed_values(record, stamp),
        src_raw,
        dst_raw,
        record.dedupe_key,
    )


def _encode_error(exc: BaseException) -> tuple[Any, ...]:
    if isinstance(exc, InvalidInput):
        where = exc.location
        return (
            "invalid",
            type(exc),
            exc.reason,
            where.file,
            where.line,
            where.field,
            exc.errors,
        )
    try:
        pickle.dumps(exc)
    except Exception:  # noqa: BLE001 - any unpicklable error is reported as text
        return ("other", RuntimeError(f"CDR parser process failed: {exc!r}"))
    return ("other", exc)


def _decode_error(encoded: tuple[Any, ...]) -> BaseException:
    if encoded[0] == "invalid":
        _, cls, reason, file, line, field, errors = encoded
        error: BaseException = cls(
            reason, file=file, line=line, field=field, errors=errors
        )
        return error
    other: BaseException = encoded[1]
    return other


def _produce(
    out: Any,
    path: str,
    format: str,
    source_name: str,
    tz: str,
    hint_region: str,
    sqlite: bool,
    chunk_rows: int,
) -> None:
    """The child: parse ``path`` and put `Chunk` s, then None or an error."""
    stamp = sqlite_stamp if sqlite else None
    rejections: list[RejectionTuple] = []
    try:
        with open(path, "rb") as fh:
            records: list[Prepared] = []
            for item in cdr.parse(fh, format=format, source_name=source_name, tz=tz):
                if isinstance(item, cdr.Rejection):
                    rejections.append(
                        (item.file, item.line, item.reason, item.field, item.excerpt)
                    )
                    continue
                records.append(prepare(item, hint_region, stamp))
                if len(records) >= chunk_rows:
                    out.put(Chunk(rejections, records, True, fh.tell()))
                    rejections, records = [], []
            out.put(Chunk(rejections, records, False, fh.tell()))
        out.put(None)
    except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
        out.put(Chunk(rejections, [], False, 0))
        out.put(("error", _encode_error(exc)))
    finally:
        out.close()
        out.join_thread()


def available() -> bool:
    """Whether this platform can run the pipeline (it needs ``fork``)."""
    return "fork" in multiprocessing.get_all_start_methods()


def chunks(
    path: Path,
    *,
    format: str,
    source_name: str,
    tz: str,
    hint_region: str,
    sqlite: bool,
    chunk_rows: int,
) -> Iterator[Chunk]:
    """The file's chunks, parsed in a child process, in file order.

    Raises what the parser raised (`InvalidInput` with its location) after
    the chunks that came before it; the child is ended when the consumer
    stops early.
    """
    ctx = multiprocessing.get_context("fork")
    out: Any = ctx.Queue(maxsize=QUEUE_CHUNKS)
    child = ctx.Process(
        target=_produce,
        args=(
            out,
            str(path),
            format,
            source_name,
            tz,
            hint_region,
            sqlite,
            chunk_rows,
        ),
        name="tutela-cdr-parse",
        daemon=True,
    )
    child.start()
    try:
        while True:
            try:
                message = out.get(timeout=_POLL_S)
            except queue_mod.Empty:
                if child.is_alive():
                    continue
                try:
                    message = out.get(timeout=_POLL_S)
                except queue_mod.Empty:
                    raise RuntimeError(
                        f"CDR parser process ended (exit code {child.exitcode})"
                    ) from None
            if message is None:
                return
            if isinstance(message, Chunk):
                yield message
                continue
            raise _decode_error(message[1])
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        out.close()
        out.cancel_join_thread()
