"""Quarantine and run summaries: every refused input record, where and why.

Policy clauses ``collect.service_use.call_records`` ("every phone call": no
record is dropped without a trace) and ``collect.service_use.voicemail``.
Each ingest run writes one JSON-lines file under ``<data>/quarantine/``
(directory 0700, file 0600), created on the first rejection only. A record
holds ``source`` (the kind of input), ``file``, ``line``, ``field``,
``reason``, ``at`` and, when given, ``excerpt``: the start of the raw input.

An excerpt can hold personal data (a caller's number or name). It is written
here and nowhere else: never log it, never put it in an error message. Bytes
that were not UTF-8 (kept by the parsers as lone surrogates) are written as
``\\xNN`` escapes, and the exact bytes as ``excerpt_base64``.

A run writes at most `MAX_RECORDS` records (each bounded: the excerpt is cut
to `EXCERPT_CHARS` characters, file and reason to
`MAX_TEXT` characters), so no input can make the file grow without bound:
rejections past the cap are counted in ``omitted`` and a last line says how
many there were; the run's summary reports the same number.

`discard` removes the file: a run whose input turned out unusable as a whole
leaves nothing behind. `IngestSummary` is what every ingest reports (and
`tutela.collect.runs` keeps as an `IngestRun` row): read, stored, duplicate, rejected
and the quarantine file.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, Protocol

from tutela.audit.log import record
from tutela.store import Store, utcnow

QUARANTINE_DIR = "quarantine"
# Longest excerpt of a rejected line kept in a record (characters).
EXCERPT_CHARS: Final = 200
# Records one run writes at most; rejections past it are only counted.
MAX_RECORDS = 10_000
# Longest file name or reason kept in a record (characters).
MAX_TEXT = 500


class RejectionLike(Protocol):
    """What the parsers' `Rejection` offers."""

    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def excerpt(self) -> str: ...
    @property
    def field(self) -> str | None: ...


def quarantine_dir(data_dir: Path) -> Path:
    """Where quarantine files live in a data directory."""
    return data_dir / QUARANTINE_DIR


def is_text(value: str) -> bool:
    """Whether ``value`` is storable as UTF-8 as it is (no lone surrogates)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def safe_text(value: str) -> str:
    """``value`` storable as UTF-8: lone surrogates become ``\\xNN`` escapes."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "backslashreplace")
    return value


class Quarantine:
    """Appends the rejections of one ingest run to a private JSON-lines file."""

    def __init__(
        self, directory: Path, *, source: str, max_records: int = MAX_RECORDS
    ) -> None:
        self.directory = directory
        self.source = source
        self.max_records = max_records
        self.path: Path | None = None
        self.count = 0
        self.omitted = 0
        self._fh: IO[str] | None = None

    def _open(self) -> IO[str]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        name = f"{self.source}-{stamp}-{secrets.token_hex(4)}.jsonl"
        self.path = self.directory / name
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
        self._fh = os.fdopen(os.open(self.path, flags, 0o600), "w", encoding="utf-8")
        return self._fh

    def add(
        self,
        *,
        file: str,
        line: int | None,
        reason: str,
        field: str | None = None,
        excerpt: str | None = None,
    ) -> None:
        """Record one refused input record (only counted once the cap is reached)."""
        if self.count >= self.max_records:
            self.omitted += 1
            return
        fh = self._fh if self._fh is not None else self._open()
        record: dict[str, Any] = {
            "source": self.source,
            "file": safe_text(file)[-MAX_TEXT:],
            "line": line,
            "field": None if field is None else safe_text(field)[:MAX_TEXT],
            "reason": safe_text(reason)[:MAX_TEXT],
            "at": utcnow().isoformat(timespec="seconds"),
        }
        if excerpt is not None:
            excerpt = excerpt[:EXCERPT_CHARS]
            record["excerpt"] = safe_text(excerpt)
            if record["excerpt"] != excerpt:
                raw = excerpt.encode("utf-8", "surrogateescape")
                record["excerpt_base64"] = base64.b64encode(raw).decode("ascii")
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.count += 1

    def add_rejection(self, rejection: RejectionLike) -> None:
        """Record a parser's `Rejection` as it stands."""
        self.add(
            file=rejection.file,
            line=rejection.line,
            reason=rejection.reason,
            field=rejection.field,
            excerpt=rejection.excerpt,
        )

    def close(self) -> Path | None:
        """Flush, sync and close; the file's path, or None if nothing was refused.

        When the cap was reached, a last line says how many rejections were
        counted but not written (``omitted``).
        """
        if self._fh is not None and self.omitted:
            note = {
                "source": self.source,
                "omitted": self.omitted,
                "reason": f"quarantine cap of {self.max_records} records reached: "
                f"{self.omitted} more rejected records were counted, not written",
                "at": utcnow().isoformat(timespec="seconds"),
            }
            self._fh.write(json.dumps(note) + "\n")
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
        return self.path

    def discard(self) -> None:
        """Close and remove the file: the run's input was refused as a whole."""
        self.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None
        self.count = 0
        self.omitted = 0

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass
class IngestSummary:
    """The outcome of one ingest run; ``--json`` prints `as_dict`."""

    source: str
    kind: str
    format: str | None = None
    read: int = 0
    stored: int = 0
    duplicate: int = 0
    rejected: int = 0
    quarantine: Path | None = None
    extra: dict[str, int] = field(default_factory=dict)
    started_at: dt.datetime = field(default_factory=lambda: utcnow())

    def close_quarantine(self, quarantine: Quarantine) -> None:
        """Close the run's quarantine; keep its path and any cap overflow count."""
        self.quarantine = quarantine.close()
        if quarantine.omitted:
            self.extra["quarantine_omitted"] = quarantine.omitted

    @property
    def exit_code(self) -> int:
        """0 when everything read was kept, 1 when something was rejected."""
        return 1 if self.rejected else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "format": self.format,
            "read": self.read,
            "stored": self.stored,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            **self.extra,
            "quarantine": str(self.quarantine) if self.quarantine else None,
        }


def audit_run(
    store: Store, summary: IngestSummary, *, status: str, run_id: int | None = None
) -> None:
    """Append the run to the audit log: an administrative action, counts only."""
    details: dict[str, object] = {
        "status": status,
        "read": summary.read,
        "stored": summary.stored,
        "duplicate": summary.duplicate,
        "rejected": summary.rejected,
        **summary.extra,
    }
    if run_id is not None:
        details["run_id"] = run_id
    record(
        store, actor="system:ingest", action=f"ingest.{summary.kind}", details=details
    )


def read_quarantine(path: Path) -> list[dict[str, Any]]:
    """The records of one quarantine file (for reports and tests)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


__all__ = [
    "MAX_RECORDS",
    "QUARANTINE_DIR",
    "audit_run",
    "IngestSummary",
    "Quarantine",
    "is_text",
    "quarantine_dir",
    "read_quarantine",
    "safe_text",
]
