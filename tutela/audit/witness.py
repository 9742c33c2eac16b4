"""The witness of the audit log: the heads it reached, kept where the database cannot roll them back.

Clause: secure.measures. A checkpoint in the database proves the chain up to
its entry only while the checkpoint itself survives: someone who can write
the database can delete the newest entries, their checkpoints and roll the
head row back, and the chain that is left is intact. So every checkpoint is
also written to a witness, by default the file ``audit/witness.jsonl`` in the
data directory (`TUTELA_AUDIT_WITNESS` moves it to other storage, or adds an
``http(s)://`` URL that receives each record as a JSON ``POST``), and
``tutela audit verify`` fails when the database is behind it.

A witness file holds one JSON record a line, appended and synced (fsync)
under an exclusive lock on the file:

- ``n``: the record's number, 1, 2, 3, ... with no gap (a removed record, or
  records put out of order, show);
- ``kind``: ``checkpoint`` (the head ``seq``/``hash`` the log reached, signed
  at ``at``) or ``reanchor`` (`tutela.audit.reanchor`: after a backup was
  restored, the new head, the old witnessed head ``old_seq``/``old_hash``,
  the last entry ``kept_seq`` up to which earlier records still hold, the
  ``officer`` and the ``reason``, and the audit ``entry`` that records it);
- ``key_id``, ``fingerprint`` and ``signature``: an Ed25519 signature by the
  audit key over every other field (an altered record shows).

A checkpoint record is only written for a head past the file's last one, so
the entries named by the records of one timeline rise with ``n`` whatever
order concurrent processes checkpoint in. Lines of the first witness format
(a checkpoint without ``v``/``n``: seq, hash, at, key_id, signature,
fingerprint) are still read; their signature is the checkpoint's.

A record carries no personal data: numbers, hashes, times, the key, a staff
surrogate id and a reason checked like audit details.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tutela.audit.checkpoints import Checkpoint
from tutela.audit.signing_keys import Signer, Verifier
from tutela.errors import InvalidInput, TutelaError

log = logging.getLogger(__name__)

TIMEOUT_S: Final = 10
MAX_WITNESS_BYTES: Final = 1 << 30
DEFAULT_WITNESS: Final = Path("audit") / "witness.jsonl"
FORMAT: Final = 2
CHECKPOINT: Final = "checkpoint"
REANCHOR: Final = "reanchor"

_SIGNED_PREFIX = b"tutela-audit-witness:v2:"
_TAIL_CHUNK = 8192
_HEX = frozenset("0123456789abcdef")


class WitnessUnreachable(TutelaError):
    """The witness could not be written (file or URL); the checkpoint is kept."""


@dataclass(frozen=True, slots=True)
class WitnessRecord:
    """One record of a witness: a head the log reached, or a re-anchor.

    ``n`` is None for a line of the first format (a bare checkpoint).
    """

    kind: str
    seq: int
    hash: str
    at: str
    key_id: str
    fingerprint: str
    signature: str = ""
    n: int | None = None
    old_seq: int | None = None
    old_hash: str | None = None
    kept_seq: int | None = None
    officer: str | None = None
    reason: str | None = None
    entry: int | None = None
    # Where it was read (1-based), for messages; not part of the record.
    line: int = field(default=0, compare=False)

    def body(self) -> dict[str, object]:
        """The signed fields (every field but the signature)."""
        body: dict[str, object] = {
            "v": FORMAT,
            "n": self.n,
            "kind": self.kind,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
            "fingerprint": self.fingerprint,
        }
        if self.kind == REANCHOR:
            body |= {
                "old_seq": self.old_seq,
                "old_hash": self.old_hash,
                "kept_seq": self.kept_seq,
                "officer": self.officer,
                "reason": self.reason,
                "entry": self.entry,
            }
        return body

    def as_dict(self) -> dict[str, object]:
        if self.n is None:
            return {
                "seq": self.seq,
                "hash": self.hash,
                "at": self.at,
                "key_id": self.key_id,
                "signature": self.signature,
                "fingerprint": self.fingerprint,
            }
        return self.body() | {"signature": self.signature}

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.seq, self.hash, self.at, self.key_id, self.signature)

    def signed_by(self, verifier: Verifier) -> bool:
        if self.n is None:
            return self.checkpoint().valid_under(verifier)
        if self.key_id != verifier.key_id:
            return False
        try:
            signature = base64.b64decode(self.signature, validate=True)
        except ValueError:
            return False
        return verifier.verify(signature, _message(self.body()))

    def named(self) -> str:
        """How a message names this record."""
        if self.n is None:
            return f"witnessed checkpoint {self.seq} (line {self.line})"
        label = "re-anchor record" if self.kind == REANCHOR else "witness record"
        return f"{label} {self.n} (line {self.line})"


def _message(body: dict[str, object]) -> bytes:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return _SIGNED_PREFIX + canonical.encode("ascii")


def sign_record(signer: Signer, record: WitnessRecord) -> WitnessRecord:
    """``record`` with its signature by ``signer``."""
    signature = base64.b64encode(signer.sign(_message(record.body()))).decode("ascii")
    return WitnessRecord(**{**_fields(record), "signature": signature})


def _fields(record: WitnessRecord) -> dict[str, Any]:
    return {
        name: getattr(record, name)
        for name in WitnessRecord.__dataclass_fields__
        if name != "line"
    }


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def witness_targets(configured: str | None, data_dir: Path) -> tuple[Path, str | None]:
    """(the witness file, the witness URL or None) for `TUTELA_AUDIT_WITNESS`.

    Unset: the file in the data directory. A path: that file instead. A URL:
    the URL, and the file in the data directory too (so that ``tutela audit
    verify`` has the records to check at hand).
    """
    if not configured:
        return data_dir / DEFAULT_WITNESS, None
    if is_url(configured):
        return data_dir / DEFAULT_WITNESS, configured
    return Path(configured), None


# -- writing -----------------------------------------------------------------

Build = Callable[[int, int], list[WitnessRecord]]


def append_records(
    path: Path, build: Build, *, default: bool = False
) -> list[WitnessRecord]:
    """Append the records ``build(last_n, last_seq)`` makes, under an exclusive lock.

    ``last_n`` and ``last_seq`` are the number and the entry of the file's
    last record (0 for an empty file), read under the same lock, so two
    processes never write the same number. One write and one fsync for all
    the records; a new file is created 0600 and its directory synced too.
    ``default``: the file is the data directory's own, whose directory is
    created (0700) when missing. Raises `WitnessUnreachable`.
    """
    try:
        if default:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        created = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as exc:
        raise _unreachable(path, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last_n, last_seq = _last_record(fd)
        records = build(last_n, last_seq)
        if records:
            text = "".join(
                json.dumps(r.as_dict(), sort_keys=True) + "\n" for r in records
            )
            data = memoryview(text.encode("ascii"))
            while data:  # a large export may take more than one write
                data = data[os.write(fd, data) :]
            os.fsync(fd)
            if created:
                _sync_directory(path.parent)
        return records
    except OSError as exc:
        raise _unreachable(path, exc) from None
    finally:
        os.close(fd)  # also releases the lock


def _unreachable(path: Path, exc: OSError) -> WitnessUnreachable:
    reason = exc.strerror or type(exc).__name__
    return WitnessUnreachable(
        f"{path}: cannot append to the audit witness file ({reason})"
    )


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _last_record(fd: int) -> tuple[int, int]:
    """(number of the last numbered record, entry of the last record) of the file.

    Reads backwards from the end, a chunk at a time: one small read when the
    last line is a record, as it is but after a write cut short (a power
    cut), whose partial line is dropped here so the next record starts on a
    line of its own.
    """
    end = os.fstat(fd).st_size
    if end and os.pread(fd, 1, end - 1) != b"\n":
        complete = _last_newline(fd, end)
        os.ftruncate(fd, complete)
        log.warning("audit.witness_partial_line_dropped bytes=%d", end - complete)
        end = complete
    last_seq: int | None = None
    pending = b""  # the start of a line that begins further back
    position = end
    while position > 0:
        start = max(0, position - _TAIL_CHUNK)
        lines = (os.pread(fd, position - start, start) + pending).split(b"\n")
        position = start
        pending = lines.pop(0) if position > 0 else b""
        for raw in reversed(lines):
            record = _parse(raw.decode("ascii", "replace"), 0)
            if record is None:
                continue
            if last_seq is None:
                last_seq = record.seq
            if record.n is not None:
                return record.n, last_seq
    return 0, last_seq or 0


def _last_newline(fd: int, end: int) -> int:
    position = end
    while position > 0:
        start = max(0, position - _TAIL_CHUNK)
        chunk = os.pread(fd, position - start, start)
        found = chunk.rfind(b"\n")
        if found >= 0:
            return start + found + 1
        position = start
    return 0


def checkpoint_records(
    signer: Signer, fingerprint: str, checkpoints: Iterable[Checkpoint]
) -> Build:
    """A `Build` of one record per checkpoint past the file's last head."""
    ordered = sorted(checkpoints, key=lambda c: c.seq)

    def build(last_n: int, last_seq: int) -> list[WitnessRecord]:
        records = []
        for c in ordered:
            if c.seq <= last_seq:
                continue  # the file's later head covers it (the chain links them)
            last_n += 1
            last_seq = c.seq
            records.append(
                sign_record(
                    signer,
                    WitnessRecord(
                        CHECKPOINT,
                        c.seq,
                        c.hash,
                        c.at,
                        signer.key_id,
                        fingerprint,
                        n=last_n,
                    ),
                )
            )
        return records

    return build


def post_records(url: str, records: Iterable[dict[str, Any]]) -> int:
    """POST each record to the witness URL; how many. Raises `WitnessUnreachable`."""
    count = 0
    for record in records:
        _post(url, record)
        count += 1
    return count


def _post(url: str, record: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(record).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        raise WitnessUnreachable(
            f"the audit witness URL cannot be reached ({type(exc).__name__})"
        ) from None
    if not 200 <= status < 300:
        raise WitnessUnreachable(f"the audit witness URL answered {status}")


def legacy_record(checkpoint: Checkpoint, fingerprint: str) -> dict[str, Any]:
    """A checkpoint in the first witness format (what ``export-checkpoints`` posts)."""
    return WitnessRecord(
        CHECKPOINT,
        checkpoint.seq,
        checkpoint.hash,
        checkpoint.at,
        checkpoint.key_id,
        fingerprint,
        checkpoint.signature,
    ).as_dict()


# -- reading -----------------------------------------------------------------


@dataclass(frozen=True)
class WitnessFile:
    """The records of a witness file, and the lines that are not records."""

    path: Path
    records: list[WitnessRecord]
    malformed: list[int]


def read_witness(path: Path) -> WitnessFile:
    """Every record of a witness file (none when it does not exist yet).

    A line that is not a record is listed in ``malformed`` (verification
    reports it); a file that cannot be read is `InvalidInput`.
    """
    try:
        if not path.exists():
            return WitnessFile(path, [], [])
        if path.stat().st_size > MAX_WITNESS_BYTES:
            raise InvalidInput(
                f"witness file is larger than {MAX_WITNESS_BYTES} bytes", file=str(path)
            )
        records: list[WitnessRecord] = []
        malformed: list[int] = []
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                record = _parse(line, number)
                if record is None:
                    malformed.append(number)
                else:
                    records.append(record)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"cannot read the witness file ({type(exc).__name__})", file=str(path)
        ) from None
    return WitnessFile(path, records, malformed)


_LEGACY_KEYS = frozenset({"seq", "hash", "at", "key_id", "signature", "fingerprint"})
_V2_KEYS = _LEGACY_KEYS | {"v", "n", "kind"}
_REANCHOR_KEYS = _V2_KEYS | {
    "old_seq",
    "old_hash",
    "kept_seq",
    "officer",
    "reason",
    "entry",
}


def _parse(line: str, number: int) -> WitnessRecord | None:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    keys = frozenset(data)
    try:
        if keys == _LEGACY_KEYS:
            return WitnessRecord(
                CHECKPOINT,
                _count(data["seq"]),
                _digest(data["hash"]),
                _text(data["at"]),
                _text(data["key_id"]),
                _text(data["fingerprint"]),
                _text(data["signature"]),
                line=number,
            )
        kind = data.get("kind")
        wanted = _REANCHOR_KEYS if kind == REANCHOR else _V2_KEYS
        if keys != wanted or data["v"] != FORMAT or kind not in (CHECKPOINT, REANCHOR):
            return None
        extra: dict[str, Any] = {}
        if kind == REANCHOR:
            extra = {
                "old_seq": _count(data["old_seq"], least=0),
                "old_hash": _digest(data["old_hash"]),
                "kept_seq": _count(data["kept_seq"], least=0),
                "officer": _text(data["officer"]),
                "reason": _text(data["reason"]),
                "entry": _count(data["entry"]),
            }
        return WitnessRecord(
            kind,
            _count(data["seq"]),
            _digest(data["hash"]),
            _text(data["at"]),
            _text(data["key_id"]),
            _text(data["fingerprint"]),
            _text(data["signature"]),
            n=_count(data["n"]),
            line=number,
            **extra,
        )
    except ValueError:
        return None


def _count(value: object, *, least: int = 1) -> int:
    if type(value) is not int or value < least:
        raise ValueError("not a count")
    return value


def _digest(value: object) -> str:
    if not isinstance(value, str) or len(value) != 64 or not set(value) <= _HEX:
        raise ValueError("not a SHA-256 hex digest")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str) or len(value) > 400:
        raise ValueError("not a short string")
    return value


__all__ = [
    "CHECKPOINT",
    "DEFAULT_WITNESS",
    "REANCHOR",
    "WitnessFile",
    "WitnessRecord",
    "WitnessUnreachable",
    "append_records",
    "checkpoint_records",
    "is_url",
    "legacy_record",
    "post_records",
    "read_witness",
    "sign_record",
    "witness_targets",
]
