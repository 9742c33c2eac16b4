"""The one clock every stored time and every waiting period is read from.

Waiting periods (a channel on file for 30 days, an erasure's cooling-off, an
officer's first week) are promises about time. Tests prove them by moving
this clock past the period, never by setting the period to zero, so the
product's own default is what is tested. Production never moves it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Clock:
    """Wall-clock UTC time plus an offset that only tests change."""

    def __init__(self) -> None:
        self._offset = dt.timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._offset

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        with self._lock:
            self._offset += delta

    def reset(self) -> None:
        with self._lock:
            self._offset = dt.timedelta(0)

    @contextmanager
    def moved(self, delta: dt.timedelta) -> Iterator[None]:
        """The clock `delta` ahead inside the block, back where it was after."""
        self.advance(delta)
        try:
            yield
        finally:
            self.advance(-delta)


CLOCK = Clock()


def utcnow() -> dt.datetime:
    """Now, as an aware UTC datetime, read from `CLOCK`."""
    return CLOCK.now()


__all__ = ["CLOCK", "Clock", "utcnow"]
