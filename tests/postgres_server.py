"""A throwaway PostgreSQL server for the test run, which dies with the run.

PostgreSQL refuses to run as root, so when the tests run as root the server
runs as the unprivileged `nobody` user, in a temporary directory it owns.
`TUTELA_TEST_DATABASE_URL` points the tests at an existing server instead.
A missing PostgreSQL installation is an error, never a skip: `make test`
installs it.

However the run ends, its server ends too: the postmaster is started
directly (not daemonised by ``pg_ctl``) as a child of the process that asked
for it, with a parent-death signal (Linux ``prctl(PR_SET_PDEATHSIG)``, set
in the child after it switched user): when that process dies, even by
SIGKILL, the kernel sends the postmaster SIGQUIT, PostgreSQL's immediate
shutdown, which ends its backends too. The directory is the other left-over:
its owner holds an exclusive lock on ``owner.lock`` for as long as it lives,
and each new server first removes the directories whose lock nobody holds
(`sweep_stale`). tests/faults/test_postgres_dies_with_its_run.py kills a
process that started a server and checks both.
"""

from __future__ import annotations

import ctypes
import fcntl
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psycopg

SUPERUSER = "tutela"
PREFIX = "tutela-pg-"
LOCK = "owner.lock"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# SIGQUIT is PostgreSQL's immediate shutdown: the postmaster ends its
# backends and removes its shared memory before it exits.
DEATH_SIGNAL = signal.SIGQUIT


@dataclass
class PostgresServer:
    root: Path
    port: int
    bindir: Path
    run_as: str | None
    process: subprocess.Popen[bytes] | None = None
    # Held open (and locked) for the server's life: see `sweep_stale`.
    lock: IO[bytes] | None = field(default=None, repr=False)

    @property
    def admin_url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int:
        """The postmaster's process id."""
        assert self.process is not None
        return self.process.pid

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(DEATH_SIGNAL)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
        if self.lock is not None:
            self.lock.close()
            self.lock = None


def find_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, postgres) not found: run `make test`, "
        "which installs them, or set TUTELA_TEST_DATABASE_URL"
    )


def _version_key(path: str) -> int:
    part = Path(path).parents[1].name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"}


def _run(cmd: list[str], user: str | None, *, check: bool = True) -> None:
    subprocess.run(
        cmd,
        check=check,
        user=user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env(),
        cwd="/",
    )


def die_with_parent(signum: int = DEATH_SIGNAL) -> Callable[[], None]:
    """A ``preexec_fn``: the child gets `signum` when the process that started it dies.

    Python runs ``preexec_fn`` after it switched the child's user (``user=``),
    which would otherwise clear the setting.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def preexec() -> None:
        if libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
            os._exit(126)  # cannot promise to die with the run: do not start
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(126)

    return preexec


def _lock_root(root: Path) -> IO[bytes]:
    """Lock ``root/owner.lock`` for this process's life (renamed into place locked)."""
    staging = root / f".{LOCK}.{os.getpid()}"
    handle = open(staging, "wb")  # noqa: SIM115 - held open until `stop`
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    staging.rename(root / LOCK)
    return handle


def sweep_stale(parent: Path | None = None) -> list[Path]:
    """Remove the server directories of runs that are gone; the ones removed.

    A directory counts as gone when its ``owner.lock`` is no longer locked
    (a lock dies with its process, however the process ends) and its
    postmaster, if its pid file names one, has exited. Directories without a
    lock file (a server still starting, or started by other code) are left.
    """
    removed: list[Path] = []
    for root in sorted(Path(parent or tempfile.gettempdir()).glob(PREFIX + "*")):
        lock_path = root / LOCK
        try:
            handle = open(lock_path, "rb")  # noqa: SIM115 - closed below
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its owner is alive
            if _postmaster_alive(root / "data"):
                continue  # still shutting down: the next sweep takes it
            shutil.rmtree(root, ignore_errors=True)
            removed.append(root)
    return removed


def _postmaster_alive(data: Path) -> bool:
    try:
        first = (data / "postmaster.pid").read_text(encoding="ascii").split("\n", 1)[0]
        pid = int(first)
    except (OSError, ValueError):
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rpartition(")")[2].split()[:1] != ["Z"]
    except OSError:
        return False


def start_postgres() -> PostgresServer:
    sweep_stale()
    bindir = find_bindir()
    run_as = "nobody" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    lock = _lock_root(root)
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    data = root / "data"
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            run_as,
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        lock.close()
        raise RuntimeError(
            f"initdb failed: {exc.stderr.decode(errors='replace')}"
        ) from exc
    last_error = ""
    for _attempt in range(5):
        port = _free_port()
        server = PostgresServer(
            root=root, port=port, bindir=bindir, run_as=run_as, lock=lock
        )
        with open(root / "log", "ab") as log:
            server.process = subprocess.Popen(
                [
                    str(bindir / "postgres"),
                    "-D",
                    str(data),
                    "-p",
                    str(port),
                    "-k",
                    str(root),
                    *("-c", "listen_addresses=127.0.0.1"),
                    *("-c", "fsync=off"),
                    *("-c", "synchronous_commit=off"),
                    *("-c", "full_page_writes=off"),
                    *("-c", "max_connections=60"),
                ],
                user=run_as,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=_env(),
                cwd="/",
                preexec_fn=die_with_parent(),
            )
        if _wait_ready(server):
            return server
        last_error = (root / "log").read_text(errors="replace")[-2000:]
    shutil.rmtree(root, ignore_errors=True)
    lock.close()
    raise RuntimeError(f"PostgreSQL did not start: {last_error}")


def _wait_ready(server: PostgresServer) -> bool:
    """True once the server answers; False if it exited (a port taken, say)."""
    assert server.process is not None
    deadline = time.monotonic() + 60
    while True:
        if server.process.poll() is not None:
            return False
        try:
            with psycopg.connect(server.admin_url, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.1)
