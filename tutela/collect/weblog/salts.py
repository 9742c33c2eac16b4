"""Daily salts: the keys that make a visitor countable today and unlinkable tomorrow.

Policy: "information collected from use of [the] websites is not associated
with any personally identifiable information." A visitor hash is an HMAC keyed
by a random salt drawn for one UTC day. Once ``destroy_before(day)`` has run,
the salts of earlier days are gone and no one, not even the operator, can
recompute a hash of those days from an IP address and a user agent. A day
whose salt was destroyed is closed: asking for its salt raises
:class:`SaltUnavailable` instead of drawing a new one, so late log lines can
neither be linked to old hashes nor be ingested twice under a fresh salt.

The store will implement :class:`SaltStore` on the database; the memory and
directory implementations here serve tests, the CLI and single hosts.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from datetime import date
from pathlib import Path
from typing import Protocol, runtime_checkable

from tutela.errors import InvalidInput

logger = logging.getLogger(__name__)

SALT_BYTES = 32


class SaltUnavailable(InvalidInput):
    """The salt of a day was destroyed: that day can no longer be hashed."""

    def __init__(self, day: date) -> None:
        super().__init__(
            f"the salt for {day.isoformat()} was destroyed; web activity of that "
            "day can no longer be ingested",
            field="time",
        )
        self.day = day


@runtime_checkable
class SaltStore(Protocol):
    """Where daily salts live. Implementations must be safe to share by threads."""

    def salt_for(self, day: date) -> bytes:
        """The salt of ``day``, drawn at random on first use.

        Raises :class:`SaltUnavailable` when ``day`` is before the horizon set
        by :meth:`destroy_before`.
        """
        ...

    def destroy_before(self, day: date) -> int:
        """Destroy every salt of a day before ``day``; return how many went.

        The horizon only moves forward: days before it never get a salt again.
        """
        ...

    def horizon(self) -> date | None:
        """The earliest day that may still have a salt, or None if none destroyed."""
        ...


class MemorySaltStore:
    """Salts held in process memory only (tests, one-shot runs)."""

    def __init__(self) -> None:
        self._salts: dict[date, bytes] = {}
        self._horizon: date | None = None
        self._lock = threading.Lock()

    def salt_for(self, day: date) -> bytes:
        with self._lock:
            if self._horizon is not None and day < self._horizon:
                raise SaltUnavailable(day)
            salt = self._salts.get(day)
            if salt is None:
                salt = self._salts[day] = secrets.token_bytes(SALT_BYTES)
            return salt

    def destroy_before(self, day: date) -> int:
        with self._lock:
            doomed = [d for d in self._salts if d < day]
            for d in doomed:
                del self._salts[d]
            if self._horizon is None or day > self._horizon:
                self._horizon = day
        logger.info("web.salts.destroyed", extra={"count": len(doomed)})
        return len(doomed)

    def horizon(self) -> date | None:
        return self._horizon

    def __repr__(self) -> str:
        return f"MemorySaltStore(days={len(self._salts)}, horizon={self._horizon})"


class DirectorySaltStore:
    """One file per day (``YYYY-MM-DD.salt``, mode 0600) in a directory.

    Several processes may share the directory: a salt is created with an
    exclusive link, so two workers never draw different salts for one day.
    Deleting a file on a journaling or copy-on-write file system or an SSD does
    not guarantee the bytes are unrecoverable from the raw device; keep this
    directory on encrypted storage (docs/web.md).
    """

    _HORIZON = "horizon"

    def __init__(self, directory: str | Path) -> None:
        self._dir = Path(directory)
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._cache: dict[date, bytes] = {}
        self._lock = threading.Lock()
        self._horizon_stamp: tuple[int, int, int] | None = None
        self._horizon_day: date | None = None

    def _path(self, day: date) -> Path:
        return self._dir / f"{day.isoformat()}.salt"

    def horizon(self) -> date | None:
        # Another process may move the horizon: re-read when the file changes.
        path = self._dir / self._HORIZON
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp != self._horizon_stamp:
            text = path.read_text(encoding="ascii").strip()
            self._horizon_day = date.fromisoformat(text)
            self._horizon_stamp = stamp
        return self._horizon_day

    def salt_for(self, day: date) -> bytes:
        with self._lock:
            salt = self._cache.get(day)
            horizon = self.horizon()
            if horizon is not None and day < horizon:
                self._cache.pop(day, None)
                raise SaltUnavailable(day)
            if salt is not None:
                return salt
            salt = self._load_or_create(day)
            self._cache[day] = salt
            return salt

    def _load_or_create(self, day: date) -> bytes:
        path = self._path(day)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        tmp = self._dir / f".{day.isoformat()}.{secrets.token_hex(8)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(SALT_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # fails if another worker won the race
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return path.read_bytes()

    def destroy_before(self, day: date) -> int:
        count = 0
        with self._lock:
            current = self.horizon()
            if current is None or day > current:
                tmp = self._dir / f".{self._HORIZON}.{secrets.token_hex(8)}.tmp"
                tmp.write_text(day.isoformat(), encoding="ascii")
                os.replace(tmp, self._dir / self._HORIZON)
            for path in sorted(self._dir.glob("*.salt")):
                try:
                    file_day = date.fromisoformat(path.stem)
                except ValueError:
                    continue
                if file_day < day:
                    _shred(path)
                    count += 1
            for cached in [d for d in self._cache if d < day]:
                del self._cache[cached]
        logger.info("web.salts.destroyed", extra={"count": count})
        return count

    def __repr__(self) -> str:
        return f"DirectorySaltStore({str(self._dir)!r})"


def _shred(path: Path) -> None:
    """Overwrite a salt file with zeros, then remove it (best effort, see class)."""
    try:
        with path.open("r+b") as handle:
            handle.write(b"\x00" * SALT_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except FileNotFoundError:
        return
    path.unlink(missing_ok=True)
