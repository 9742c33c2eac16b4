"""Units of work that write take turns on a SQLite store, inside one process.

Clause secure.measures (a burst of requests is served, never crashed). On
SQLite a transaction that has read cannot write once another connection
committed after its read: it fails at once with "database is locked",
whatever the busy timeout (a stale snapshot cannot be brought up to date).
A form post is such a unit of work: it checks the sign-in, reads, then
changes, in a few short transactions. Forty posts at once on the web app
made most of them fail that way.

Inside `taking_turns` (the web app runs every request that changes
something in it, `tutela.web.guard`), each SQLite transaction of the unit
first waits for its turn: while one unit's transaction is open, another
unit's waits at BEGIN, queued in this process instead of failing in the
database. Between its transactions a unit holds no turn, so the work it
does outside the database (hashing a password, rendering a page) runs in
parallel. Turns are the unit's, not the thread's: a transaction it opens
while it has one open (the audit log's own connection) proceeds, as it
did before. Waiting longer than the wait given raises `DatabaseBusy`
(answered 503 on the web). PostgreSQL has row locks and needs no turns;
other processes (the CLI, a second server) still meet at SQLite's own lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event

_UNIT: ContextVar[str | None] = ContextVar("tutela_writing_unit", default=None)
_TURNS: weakref.WeakSet[Turns] = weakref.WeakSet()


class DatabaseBusy(Exception):
    """A unit of work waited too long for its turn to write; nothing was changed."""


class Turns:
    """Whose turn it is on one SQLite engine: one unit of work at a time, re-entrant."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        self._ready = threading.Condition()
        self._unit: str | None = None
        self._depth = 0

    def take(self, unit: str) -> None:
        """Wait for `unit`'s turn (at once if it has it); `DatabaseBusy` after ``wait_s``."""
        with self._ready:
            if not self._ready.wait_for(
                lambda: self._unit in (None, unit), timeout=self.wait_s
            ):
                raise DatabaseBusy(f"no turn to write within {self.wait_s:g} s")
            self._unit = unit
            self._depth += 1

    def give_back(self, unit: str, *, all_of_it: bool = False) -> None:
        """End one of `unit`'s transactions (or all): the next unit's turn when none is left."""
        with self._ready:
            if self._unit != unit:
                return
            self._depth = 0 if all_of_it else max(self._depth - 1, 0)
            if self._depth == 0:
                self._unit = None
                self._ready.notify_all()


def take_turns(engine: Engine, *, wait_s: float) -> None:
    """Make `engine`'s transactions take turns inside `taking_turns` (SQLite engines).

    Call it before the engine's own ``begin`` listener is registered: the
    turn must be taken before SQLite is asked for anything (listeners run
    in the order they were registered). It is given back when the
    connection returns to the pool, after its commit or rollback is done:
    SQLAlchemy's ``commit`` event comes before the commit, and a turn given
    back there would let the next unit read what is about to change.
    """
    turns = Turns(wait_s)
    _TURNS.add(turns)
    # The checked-out connections holding a turn (by the id of the driver's
    # connection, which the pool keeps until it is checked in): the unit
    # and how many times.
    holders: dict[int, tuple[str, int]] = {}
    lock = threading.Lock()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        unit = _UNIT.get()
        if unit is None:
            return
        turns.take(unit)
        key = id(conn.connection.dbapi_connection)
        with lock:
            _unit, times = holders.get(key, (unit, 0))
            holders[key] = (unit, times + 1)

    @event.listens_for(engine.pool, "checkin")
    @event.listens_for(engine.pool, "invalidate")
    def _checkin(dbapi_connection: Any, *_record: Any) -> None:
        with lock:
            unit, times = holders.pop(id(dbapi_connection), ("", 0))
        for _ in range(times):
            turns.give_back(unit)


@contextmanager
def taking_turns(unit: str) -> Iterator[None]:
    """Inside: this unit's SQLite transactions take turns with other units' (`unit`: its id).

    On leaving, any turn the unit still holds (a transaction that ended
    without its commit or rollback being seen) is given back.
    """
    token = _UNIT.set(unit)
    try:
        yield
    finally:
        _UNIT.reset(token)
        for turns in list(_TURNS):
            turns.give_back(unit, all_of_it=True)


__all__ = ["DatabaseBusy", "Turns", "take_turns", "taking_turns"]
