"""Log lines: TUTELA_LOG_LEVEL for every command, logfmt, event names and ids only.

Clause: secure.measures (no personal data in logs: an exception is logged
by type and place, never by its text). Before, logging was fixed at
WARNING, so the service's own events (sign-ins, mail sent, requests
served) never appeared from ``tutela serve`` or ``tutela worker``.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.rights.conftest import Sink, sink
from tests.web.live import free_port
from tutela.config import Settings
from tutela.logs import REQUEST_ID, LogfmtFormatter

__all__ = ["sink"]

TUTELA = str(Path(sys.executable).with_name("tutela"))
ADDRESS = "ann.officer@staff.test"
LINE = re.compile(r"ts=\S+Z level=(\w+) logger=\S+ (?:event|msg)=")


def _record(message: str, *args: object, exc: BaseException | None = None) -> str:
    record = logging.LogRecord(
        "tutela.test",
        logging.ERROR if exc else logging.INFO,
        __file__,
        1,
        message,
        args,
        (type(exc), exc, exc.__traceback__) if exc else None,
    )
    return LogfmtFormatter().format(record)


def _tutela(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TUTELA_")}
    return subprocess.run(
        [TUTELA, *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=300,
        check=False,
    )


def test_an_event_line_is_logfmt_with_its_name_and_ids() -> None:
    line = _record("auth.sign_in user_id=%d role=%s", 12, "auditor")
    assert LINE.match(line)
    assert line.endswith("event=auth.sign_in user_id=12 role=auditor")
    # Prose (a library's message) is kept whole, quoted.
    prose = _record('field keys rotated: %d "values"', 3)
    assert prose.endswith('msg="field keys rotated: 3 \\"values\\""')


@pytest.mark.clause("secure.measures")
def test_an_exception_is_logged_by_type_and_place_never_its_text() -> None:
    try:
        raise ValueError(f"no account for {ADDRESS}")
    except ValueError as exc:
        raised = exc
    line = _record("ingest.failed run_id=%d", 7, exc=raised)
    assert ADDRESS not in line and "Traceback" not in line
    assert "event=ingest.failed run_id=7 error=ValueError at=" in line
    assert f"test_logging.py:{raised.__traceback__.tb_lineno}" in line  # type: ignore[union-attr]


def test_a_line_logged_while_a_request_is_served_carries_its_id() -> None:
    token = REQUEST_ID.set("0123456789abcdef")
    try:
        line = _record("auth.sign_in user_id=%d", 1)
    finally:
        REQUEST_ID.reset(token)
    assert line.endswith("request_id=0123456789abcdef")
    assert "request_id" not in _record("auth.sign_in user_id=%d", 1)


@pytest.mark.clause("secure.measures")
def test_a_command_logs_its_events_at_the_level_set(tmp_path: Path) -> None:
    add = ("users", "add", "--email", ADDRESS, "--role", "privacy_officer")
    quiet = _tutela(*add, "--data", str(tmp_path / "a"), "--json")
    assert quiet.returncode == 0, quiet.stderr
    assert "event=" not in quiet.stderr  # unset: warnings only, for a command
    told = _tutela(
        *add, "--data", str(tmp_path / "b"), "--json", env={"TUTELA_LOG_LEVEL": "INFO"}
    )
    assert told.returncode == 0, told.stderr
    added = [
        line for line in told.stderr.splitlines() if "event=auth.user_added" in line
    ]
    assert len(added) == 1 and LINE.match(added[0])
    assert re.search(r"user_id=\d+ role=privacy_officer", added[0])
    assert ADDRESS not in told.stderr and "ann.officer" not in told.stderr


def test_a_wrong_log_level_is_a_usage_error_naming_the_variable() -> None:
    result = _tutela("policy", "check", env={"TUTELA_LOG_LEVEL": "chatty"})
    assert result.returncode == 2
    assert "TUTELA_LOG_LEVEL" in result.stderr and "chatty" not in result.stderr


def test_the_worker_logs_its_events_by_default(tmp_path: Path, sink: Sink) -> None:
    result = _tutela(
        "worker",
        "--once",
        "--data",
        str(tmp_path / "data"),
        env={"TUTELA_SMTP_HOST": "127.0.0.1", "TUTELA_SMTP_PORT": str(sink.port)},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    stopped = [line for line in lines if "event=worker.stopped" in line]
    assert len(stopped) == 1 and "level=info" in stopped[0]


@pytest.mark.clause("secure.measures")
def test_serve_logs_each_request_by_route_without_the_client_address(
    tmp_path: Path,
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    settings = Settings(data=tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTELA_")}
    with log.open("w") as err:
        server = subprocess.Popen(
            [TUTELA, "serve", "--port", str(port), "--data", str(settings.data)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
        )
        try:
            answered = _get_when_up(port, "/healthz")
            _get_when_up(port, "/rights/download/tdl_" + "x" * 43)
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert answered == 200
    lines = log.read_text(encoding="utf-8").splitlines()
    served = [line for line in lines if "event=web.request" in line]
    assert any("method=GET route=/healthz status=200" in line for line in served)
    # The route's pattern, never the path: a download token stays out of the log.
    assert any("route=/rights/download/{token} status=404" in line for line in served)
    assert all("tdl_" not in line for line in lines)
    assert all(re.search(r"request_id=[0-9a-f]{16}$", line) for line in served)
    # Uvicorn's access log (client address and port, raw path) is off.
    assert not any('"GET /healthz' in line for line in lines)
    assert all(LINE.match(line) for line in lines if line.startswith("ts="))


def _get_when_up(port: int, path: str) -> int:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}{path}", timeout=30
            ) as response:
                return int(response.status)
        except urllib.error.HTTPError as refused:
            return int(refused.code)
        except OSError:
            assert time.monotonic() < deadline, "tutela serve did not start"
            time.sleep(0.2)
