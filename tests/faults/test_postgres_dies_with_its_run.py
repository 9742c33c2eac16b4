"""A test run killed with SIGKILL leaves no PostgreSQL server behind.

No policy clause: this keeps the test suite from leaking servers on a shared
machine. A small process starts a server with the fixtures' own code
(`tests.postgres_server.start_postgres`, what the ``postgres`` fixture
calls), and is killed with SIGKILL, which no handler or finalizer sees. The
postmaster and its backends must then exit (the kernel's parent-death
signal), and the next server's sweep must remove the directory, which it
must leave alone while its owner lives.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg

from tests.faults.crash import gone
from tests.postgres_server import LOCK, PostgresServer, sweep_stale
from tests.samples import REPO

STARTER = """
import time
from tests.postgres_server import start_postgres
server = start_postgres()
print(server.pid, server.port, server.root, flush=True)
time.sleep(600)
"""


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
            found.extend(int(p) for p in fh.read().split())
    return found


def test_a_killed_run_takes_its_server_and_then_its_directory_along() -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", STARTER],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None
        line = run.stdout.readline().split()
        assert line, run.stderr.read() if run.stderr else "the starter printed nothing"
        postmaster, port, root = int(line[0]), int(line[1]), Path(line[2])
        server = PostgresServer(root=root, port=port, bindir=root, run_as=None)
        with psycopg.connect(server.admin_url, connect_timeout=10) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        backends = _children(postmaster)
        assert postmaster in _children(run.pid) and backends
        assert (root / LOCK).exists()
        assert root not in sweep_stale()  # its owner lives: left alone
        assert root.exists()
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
        for stream in (run.stdout, run.stderr):
            if stream is not None:
                stream.close()
    # Waits (up to a minute) for the processes to end; never a timing claim.
    assert gone([postmaster, *backends]) == []
    assert root in sweep_stale()
    assert not root.exists()
