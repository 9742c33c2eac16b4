"""An external witness of audit checkpoints: a file or a URL the database cannot rewrite.

Clause: secure.measures. A checkpoint proves the chain up to its entry only
while the checkpoint itself survives; someone who can write the database can
delete checkpoints, cut entries off the end and rewrite what follows. A copy
of each checkpoint kept elsewhere (`TUTELA_AUDIT_WITNESS`) catches that after
the fact: ``tutela audit verify --witness FILE`` checks every witnessed
checkpoint against the chain (signed by the pinned key, the entry still
there, its hash unchanged).

A witness is either a file (one JSON object per line, appended and synced;
put it on other storage, or ship it off the host) or an ``http(s)://`` URL
that receives each checkpoint as a JSON ``POST``. A checkpoint carries no
personal data: a sequence number, a hash, a time, the key and a signature.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from tutela.audit.checkpoints import Checkpoint
from tutela.errors import InvalidInput, TutelaError

log = logging.getLogger(__name__)

TIMEOUT_S: Final = 10
MAX_WITNESS_BYTES: Final = 64 << 20


class WitnessUnreachable(TutelaError):
    """The witness could not be written (file or URL); the checkpoint is kept."""


@dataclass(frozen=True)
class WitnessedCheckpoint:
    """One checkpoint as the witness holds it."""

    seq: int
    hash: str
    at: str
    key_id: str
    signature: str
    fingerprint: str

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.seq, self.hash, self.at, self.key_id, self.signature)


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def send(target: str, checkpoints: Iterable[Checkpoint], fingerprint: str) -> int:
    """Give ``checkpoints`` to the witness at ``target``; how many were sent.

    Raises `WitnessUnreachable` (with the reason, never a response body).
    """
    records = [
        asdict(
            WitnessedCheckpoint(c.seq, c.hash, c.at, c.key_id, c.signature, fingerprint)
        )
        for c in checkpoints
    ]
    if not records:
        return 0
    if is_url(target):
        for record in records:
            _post(target, record)
    else:
        _append(Path(target), records)
    log.info("audit.witnessed count=%d", len(records))
    return len(records)


def _append(path: Path, records: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="ascii") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise WitnessUnreachable(
            f"{path}: cannot append to the audit witness file ({reason})"
        ) from None


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


def read_witness(path: Path) -> list[WitnessedCheckpoint]:
    """The checkpoints of a witness file; `InvalidInput` naming a bad line."""
    try:
        if path.stat().st_size > MAX_WITNESS_BYTES:
            raise InvalidInput(
                f"witness file is larger than {MAX_WITNESS_BYTES} bytes", file=str(path)
            )
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"cannot read the witness file ({type(exc).__name__})", file=str(path)
        ) from None
    found = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append(
                WitnessedCheckpoint(
                    seq=int(data["seq"]),
                    hash=str(data["hash"]),
                    at=str(data["at"]),
                    key_id=str(data["key_id"]),
                    signature=str(data["signature"]),
                    fingerprint=str(data["fingerprint"]),
                )
            )
        except (ValueError, KeyError, TypeError, RecursionError):
            raise InvalidInput(
                "is not a witnessed checkpoint (a JSON object with seq, hash, at, "
                "key_id, signature, fingerprint)",
                file=str(path),
                line=number,
            ) from None
    return found


__all__ = [
    "WitnessUnreachable",
    "WitnessedCheckpoint",
    "is_url",
    "read_witness",
    "send",
]
