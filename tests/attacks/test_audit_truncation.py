"""Attack: cut the audit entries the SMTP listener wrote; verification does not notice.

Clause: secure.measures. Someone who can write the database (not the data
directory) deletes the newest audit entries and rolls the head row back.
The witness is meant to catch that: `tutela serve` and `tutela worker`
sign and witness what they append every `TUTELA_AUDIT_SEAL_SECONDS` while
they run. `tutela sar smtp` runs for weeks too, and appends an entry for
every request that arrives by mail, every lookup it makes and every code
it sends, but never seals while it runs (and a SIGTERM ends it without
its final seal). Its entries can be cut at any time, undetected.

The attacker edits the database directly (DELETE and UPDATE in SQL): in
scope for this attack (a database account that is not the data directory).
"""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.web.live import free_port
from tutela.audit import audit_log, read_witness
from tutela.audit.witness import DEFAULT_WITNESS
from tutela.config import Settings
from tutela.store.db import Store
from tutela.store.models import SarCase

pytestmark = pytest.mark.clause("secure.measures")

TUTELA = str(Path(sys.executable).with_name("tutela"))
PATIENCE_S = 60  # a ceiling for a slow, shared machine, never a measurement
SEAL_S = 0.2


def _witnessed(path: Path) -> int:
    records = read_witness(path).records
    return records[-1].seq if records else 0


def _wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5):
                return
        except OSError:
            assert proc.poll() is None, "the listener stopped"
            assert time.monotonic() < deadline, "the listener did not answer"
            time.sleep(0.2)


def test_entries_the_smtp_listener_appended_cannot_be_cut_unnoticed(
    store: Store, settings: Settings
) -> None:
    log = audit_log(store)
    witness = settings.data / DEFAULT_WITNESS
    log.append(actor="system:test", action="admin.tick")
    log.checkpoint()
    before = _witnessed(witness)
    assert before == log.head()[0] > 0

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTELA_")}
    env["TUTELA_AUDIT_SEAL_SECONDS"] = str(SEAL_S)
    listener = subprocess.Popen(
        [TUTELA, "sar", "smtp", "--data", str(settings.data), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, listener)
        msg = EmailMessage()
        msg["From"] = "someone@example.org"
        msg["To"] = "legal@jive.com"
        msg["Subject"] = "Subject Access Request"
        msg.set_content("Please send me a copy of my personal information.")
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            smtp.send_message(msg)
        deadline = time.monotonic() + PATIENCE_S
        while True:
            with store.session() as s:
                state = s.scalar(select(SarCase.state).order_by(SarCase.id.desc()))
            if state == "verifying":
                break
            assert time.monotonic() < deadline, "the mail was not taken in"
            time.sleep(0.2)
        head = log.head()[0]
        assert head > before  # the listener recorded the request
        # Many sealing intervals pass: a server would have witnessed it by now.
        time.sleep(25 * SEAL_S)

        # The attacker with the database: the request's audit trail goes.
        with store.engine.begin() as conn:
            conn.execute(
                text("DELETE FROM audit_checkpoints WHERE seq > :s"), {"s": before}
            )
            conn.execute(
                text("DELETE FROM audit_entries WHERE seq > :s"), {"s": before}
            )
            conn.execute(
                text(
                    "UPDATE audit_head SET seq = :s, hash = "
                    "(SELECT hash FROM audit_entries WHERE seq = :s) WHERE id = 1"
                ),
                {"s": before},
            )
        report = log.verify()
    finally:
        listener.terminate()
        listener.wait(timeout=30)
    assert not report.ok, (
        f"entries {before + 1} to {head} (a request by mail) were cut from the "
        "audit log and verification passed"
    )
