"""Two-process CDR ingest: a child parses and builds rows, the parent stores them.

The child process runs `tutela.collect.cdr._chunks.chunks_of`, which the
single-process ingest runs in-process: it reads and parses the file and
prepares each record's stored values that need no owner, a chunk of records
at a time. The chunks go through a bounded queue (at most `QUEUE_CHUNKS` in
flight, so memory stays flat). The parent resolves each record's owner
(which needs the database), builds the number columns in the owner's region,
and inserts and quarantines, in file order, one transaction per chunk.

Start method: ``fork``. The child only runs the parser and `chunks_of`
and leaves through ``os._exit`` (as every multiprocessing child does), so
it never touches the database connections it inherits; ``spawn`` would
re-import Tutela in the child (about a second of CPU) on every ingest. A
child whose parent was killed (SIGKILL runs no cleanup) must not stay
behind, blocked on a pipe nobody reads: on Linux the kernel kills it with
its parent (``PR_SET_PDEATHSIG``); elsewhere it notices within `_POLL_S`
seconds, at its next put on the full queue, and ends.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import queue as queue_mod
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from tutela.collect.cdr._chunks import Chunk, chunks_of
from tutela.errors import InvalidInput

QUEUE_CHUNKS: Final = 3
_POLL_S: Final = 0.5
_PR_SET_PDEATHSIG: Final = 1  # from <linux/prctl.h>


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


def _die_with(parent: int) -> None:
    """On Linux, have the kernel SIGKILL this process when ``parent`` dies.

    A child that has put its last chunk waits for the queue's feeder thread
    to flush it into the pipe; with the parent killed, nobody ever reads it
    and no put times out, so only the kernel can end the wait.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # died before the request above took effect
        os._exit(0)


class _ParentGone(Exception):
    """The storing process died (killed): nobody will read what is put."""


def _put(out: Any, item: object, parent: int) -> None:
    # A plain put() would wait forever on a full queue once the parent is
    # killed (SIGKILL runs no cleanup), leaving this child behind for good.
    while True:
        try:
            out.put(item, timeout=_POLL_S)
            return
        except queue_mod.Full:
            if os.getppid() != parent:
                raise _ParentGone from None


def _produce(
    out: Any,
    parent: int,
    path: str,
    format: str,
    source_name: str,
    tz: str,
    sqlite: bool,
    chunk_rows: int,
) -> None:
    """The child: parse ``path`` and put `Chunk` s, then None or an error.

    Ends on its own when the parent (process ``parent``) dies.
    """
    _die_with(parent)
    try:
        with open(path, "rb") as fh:
            for chunk in chunks_of(
                fh,
                format=format,
                source_name=source_name,
                tz=tz,
                sqlite=sqlite,
                chunk_rows=chunk_rows,
            ):
                _put(out, chunk, parent)
        _put(out, None, parent)
    except _ParentGone:
        out.cancel_join_thread()  # what is buffered can never be delivered
        return
    except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
        try:
            _put(out, ("error", _encode_error(exc)), parent)
        except _ParentGone:
            out.cancel_join_thread()
            return
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
            os.getpid(),
            str(path),
            format,
            source_name,
            tz,
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
