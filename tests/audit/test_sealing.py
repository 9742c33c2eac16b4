"""A long-running command (`tutela serve`, `tutela worker`) signs and witnesses
what it appends while it runs, not only when it stops.

The server test runs the real `tutela serve` in its own process, on SQLite
and on PostgreSQL, and reads the witness file while the server still runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.web.live import free_port
from tutela.audit import audit_log, read_witness, sealing_every
from tutela.audit.witness import DEFAULT_WITNESS
from tutela.auth import csrf_token
from tutela.config import Settings
from tutela.store.db import Store
from tutela.web.deps import LOGIN_COOKIE

pytestmark = pytest.mark.clause("secure.measures")

TUTELA = str(Path(sys.executable).with_name("tutela"))
PATIENCE_S = 60  # a ceiling for a slow, shared machine, never a measurement


def witnessed_head(path: Path) -> int:
    records = read_witness(path).records
    return records[-1].seq if records else 0


def test_sealing_every_witnesses_what_other_threads_append(store: Store) -> None:
    log = audit_log(store)
    path = store.data_dir / DEFAULT_WITNESS

    def appender() -> None:
        for i in range(5):
            log.append(actor="system:worker", action="admin.tick", subjects=[i])

    with sealing_every(0.05) as sealed:
        thread = threading.Thread(target=appender)
        thread.start()
        thread.join(PATIENCE_S)
        head = log.head()[0]
        deadline = time.monotonic() + PATIENCE_S
        while witnessed_head(path) < head:
            assert time.monotonic() < deadline, "nothing was sealed"
            sealed.wait(1)
        before = read_witness(path).records
        for _ in range(2):  # two more rounds with nothing appended...
            sealed.clear()
            assert sealed.wait(PATIENCE_S)
    assert read_witness(path).records == before  # ...wrote nothing
    assert log.checkpoints()[-1].seq == head
    assert log.verify().ok


def test_sealing_every_refuses_a_zero_interval() -> None:
    with pytest.raises(ValueError), sealing_every(0):
        pass


def _failed_sign_in(base: str) -> int:
    """A sign-in with a wrong password: the server appends `auth.sign_in_failed`."""
    login = "sealing-test-login-token"
    form = {
        "email": "nobody@example.com",
        "password": "wrong",
        "csrf": csrf_token(login),
    }
    request = urllib.request.Request(
        f"{base}/login",
        data=urllib.parse.urlencode(form).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{LOGIN_COOKIE}={login}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_running_server_witnesses_what_its_requests_append(
    store: Store, settings: Settings
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTELA_")}
    env |= {
        "TUTELA_DATABASE_URL": settings.database_url or "",
        "TUTELA_AUDIT_SEAL_SECONDS": "0.2",
    }
    server = subprocess.Popen(
        [TUTELA, "serve", "--data", str(settings.data), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    path = settings.data / DEFAULT_WITNESS
    try:
        deadline = time.monotonic() + PATIENCE_S
        while True:
            try:
                status = _failed_sign_in(base)
                break
            except OSError:
                assert server.poll() is None, (
                    server.stderr.read() if server.stderr else ""
                )
                assert time.monotonic() < deadline, "server did not answer"
                time.sleep(0.2)
        assert status == 401
        head = audit_log(store).head()[0]
        assert head > 0
        while witnessed_head(path) < head:
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the server witnessed nothing"
            time.sleep(0.1)
        assert server.poll() is None  # witnessed while it runs, not at its end
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()
    assert audit_log(store).verify().ok
