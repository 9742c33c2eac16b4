"""Units of work that write take turns on SQLite instead of failing on a stale read.

Clause: secure.measures (a burst of web posts is served, not crashed). The
failure they prevent: a transaction reads, another connection commits a
write, the first then writes and SQLite refuses at once ("database is
locked"), whatever the busy timeout. Real SQLite, real threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tutela.config import Settings
from tutela.store import DatabaseBusy, Store, open_store, taking_turns

pytestmark = pytest.mark.clause("secure.measures")


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    # Short waits: a wrong turn fails in a second, not in ten.
    opened = open_store(
        Settings(data=tmp_path / "data"), engine_options={"sqlite_busy_s": 1}
    )
    with opened.engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    try:
        yield opened
    finally:
        opened.close()


def _add_one(store: Store, *, lock_first: bool = False) -> None:
    with store.writing() if lock_first else store.session() as session:
        session.execute(text("UPDATE counter SET n = n + 1"))


@pytest.mark.parametrize("lock_first", [False, True])
def test_a_unit_that_read_then_writes_is_not_overtaken(
    sqlite_store: Store, lock_first: bool
) -> None:
    # lock_first: the other unit asks for SQLite's lock at BEGIN (IMMEDIATE);
    # it must wait for its turn before it asks, or the two wait on each other.
    read = threading.Event()
    other_trying = threading.Event()
    errors: list[BaseException] = []

    def other() -> None:
        read.wait(30)
        try:
            with taking_turns("other"):
                other_trying.set()
                # Waits for the first unit's turn to end.
                _add_one(sqlite_store, lock_first=lock_first)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    worker = threading.Thread(target=other)
    worker.start()
    with taking_turns("first"), sqlite_store.session() as session:
        before = session.scalar(text("SELECT n FROM counter"))
        read.set()
        other_trying.wait(30)
        # Time for the other unit to commit, were it not waiting its turn.
        time.sleep(0.5)
        session.execute(text("UPDATE counter SET n = :n"), {"n": before + 10})
    worker.join(30)
    assert errors == []
    with sqlite_store.session() as session:
        assert session.scalar(text("SELECT n FROM counter")) == 11


def test_a_unit_that_waits_too_long_for_its_turn_is_told_the_database_is_busy(
    sqlite_store: Store,
) -> None:
    holding = threading.Event()
    done = threading.Event()

    def first() -> None:
        with taking_turns("first"), sqlite_store.session() as session:
            session.execute(text("SELECT n FROM counter"))
            holding.set()
            done.wait(30)

    worker = threading.Thread(target=first)
    worker.start()
    holding.wait(30)
    try:
        with pytest.raises(DatabaseBusy), taking_turns("second"):
            _add_one(sqlite_store)
    finally:
        done.set()
        worker.join(30)
    # Once the first unit is done, the turn is free again.
    with taking_turns("third"):
        _add_one(sqlite_store)


def test_a_unit_opening_a_second_transaction_inside_its_first_is_not_blocked(
    sqlite_store: Store,
) -> None:
    with taking_turns("one"), sqlite_store.session() as outer:
        outer.execute(text("SELECT n FROM counter"))
        _add_one(sqlite_store)  # another connection, same unit: its turn
    with taking_turns("two"):
        _add_one(sqlite_store)  # the turn was given back
    with sqlite_store.session() as session:
        assert session.scalar(text("SELECT n FROM counter")) == 2


def test_work_outside_a_unit_takes_no_turn(sqlite_store: Store) -> None:
    # The CLI's own transactions: SQLite's lock and busy timeout only.
    done = threading.Event()

    def read() -> None:
        with sqlite_store.session() as session:
            session.execute(text("SELECT n FROM counter"))
        done.set()

    with taking_turns("web"), sqlite_store.session() as session:
        session.execute(text("SELECT n FROM counter"))
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(30)
    assert done.is_set()
