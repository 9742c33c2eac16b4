"""Run the `tutela` command in a child process, SIGKILL it, compare stores by SQL.

The child is forked from a server process that has imported Tutela once
(`multiprocessing`'s ``forkserver`` with a preload), so a run starts in
milliseconds instead of the seconds a fresh interpreter takes to import:
that is what lets a test kill many runs per source within its budget. The
child runs the real command line (`tutela.cli.app.main` with its own argv
and environment) and is killed with a real SIGKILL: no handler, no cleanup.

How many runs each test kills is `kills()`: ``TUTELA_TEST_KILLS``, 5 by
default (what `make test` runs), 20 in `make test-long`.

`snapshot` reads a store by plain SQL (table names from the database's own
catalogue), so two data directories can be compared after a clean run and
after a run killed many times.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text

from tutela.cli.app import COMMAND_MODULES

# Kills per source and backend by default: enough that a kill lands before,
# during and after a commit; `make test-long` asks for 20.
DEFAULT_KILLS = 5
KILLS_VARIABLE = "TUTELA_TEST_KILLS"

_CTX = multiprocessing.get_context("forkserver")
# The commands' modules too: the root app imports each only when it runs.
_CTX.set_forkserver_preload(["tutela.cli.app", "tests.hashing", *COMMAND_MODULES])

# Tables that record what happened (runs, audit), not what was collected:
# a killed run adds to them by design.
BOOKKEEPING = frozenset(
    {
        "alembic_version",
        "audit_checkpoints",
        "audit_entries",
        "audit_head",
        "ingest_runs",
    }
)


def kills() -> int:
    """How many runs a crash test kills (``TUTELA_TEST_KILLS``, default 5)."""
    given = os.environ.get(KILLS_VARIABLE, "").strip()
    if not given:
        return DEFAULT_KILLS
    try:
        count = int(given)
    except ValueError:
        raise ValueError(f"{KILLS_VARIABLE} must be a whole number") from None
    if count < 1:
        raise ValueError(f"{KILLS_VARIABLE} must be at least 1")
    return count


def _child(argv: list[str], env: dict[str, str], log: str) -> None:
    """In the forked child: the `tutela` command with `argv`, output to `log`."""
    os.environ.update(env)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.argv = ["tutela", *argv]
    from tests.hashing import use_cheap_hashing
    from tutela.cli.app import main

    # Like the test process: sign-ins verify (and never rehash to) the cheap
    # hashes the tests stored.
    use_cheap_hashing()

    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@dataclass(frozen=True)
class Outcome:
    """How one run ended: killed (by us), or its exit code."""

    killed: bool
    exitcode: int | None
    children: tuple[int, ...] = ()


def _children_of(pid: int) -> tuple[int, ...]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return ()
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                found.extend(int(p) for p in fh.read().split())
        except OSError:
            continue
    return tuple(found)


def run_cli(
    argv: list[str],
    env: Mapping[str, str],
    *,
    log: Path,
    kill_after: float | None = None,
    timeout: float = 300.0,
) -> Outcome:
    """Run `tutela argv`; SIGKILL it after `kill_after` seconds if still running."""
    process = _CTX.Process(target=_child, args=(argv, dict(env), str(log)))
    process.start()
    pid = process.pid
    assert pid is not None
    if kill_after is not None:
        process.join(kill_after)
        if process.is_alive():
            children = _children_of(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                # It ended (and its fork server reaped it) between the two
                # calls: a run that finished, not a kill.
                pass
            else:
                process.join(timeout)
                return Outcome(
                    killed=True, exitcode=process.exitcode, children=children
                )
    process.join(timeout)
    assert not process.is_alive(), f"tutela {argv[:2]} did not end in {timeout}s"
    return Outcome(killed=False, exitcode=process.exitcode)


def timed_run(argv: list[str], env: Mapping[str, str], *, log: Path) -> float:
    """Run to the end (it must succeed); how long it took, in seconds.

    The fork server is started first (`tutela --help`), so its start-up (an
    import of Tutela) is not counted as the command's time.
    """
    assert run_cli(["--help"], env, log=log).exitcode == 0
    started = time.monotonic()
    outcome = run_cli(argv, env, log=log)
    assert outcome.exitcode == 0, log.read_text(errors="replace")[-2000:]
    return time.monotonic() - started


def gone(pids: Iterable[int], *, within: float = 60.0) -> list[int]:
    """The processes of `pids` still alive after waiting up to `within` seconds."""
    deadline = time.monotonic() + within
    left = list(pids)
    while left and time.monotonic() < deadline:
        left = [p for p in left if _alive(p)]
        if left:
            time.sleep(0.1)
    return left


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rpartition(")")[2].split()[:1] != ["Z"]
    except OSError:
        return False


def database_url(data: Path, env: Mapping[str, str]) -> str:
    """The SQLAlchemy URL of the store the environment points at."""
    given = env.get("TUTELA_DATABASE_URL")
    if given:
        return "postgresql+psycopg://" + given.split("://", 1)[1]
    return f"sqlite:///{data / 'tutela.db'}"


def snapshot(
    url: str, keys: Mapping[str, Iterable[str]], *, skip: Iterable[str] = ()
) -> dict[str, Any]:
    """Row counts of every table, and the sorted key columns of tables in `keys`.

    Bookkeeping tables (and `skip`) are left out: they record runs, which a
    killed run adds to by design.
    """
    engine = create_engine(url)
    left_out = BOOKKEEPING | set(skip)
    try:
        tables = sorted(set(inspect(engine).get_table_names()) - left_out)
        shot: dict[str, Any] = {}
        with engine.connect() as conn:
            for table in tables:
                shot[table] = conn.execute(
                    text(f'SELECT count(*) FROM "{table}"')
                ).scalar_one()
            for table, columns in keys.items():
                cols = ", ".join(f'"{c}"' for c in columns)
                rows = conn.execute(text(f'SELECT {cols} FROM "{table}"')).all()
                shot[f"{table}:keys"] = sorted(tuple(map(str, r)) for r in rows)
        return shot
    finally:
        engine.dispose()


def runs(url: str) -> list[tuple[str, str]]:
    """(kind, status) of every ingest run, in order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT kind, status FROM ingest_runs ORDER BY id")
            ).all()
        return [(str(k), str(s)) for k, s in rows]
    finally:
        engine.dispose()
