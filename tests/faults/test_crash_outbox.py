"""SIGKILL the outbox worker again and again while it sends: every message sent, once in the store.

Clauses changes.notice (notice of a policy change reaches every subscriber)
and rights.access.verification (a code or a link is sent, never lost): a
worker killed mid-run loses no message, and re-sends at most the one it was
sending when killed, under the same Message-ID.

Each round adds a few messages to the outbox and runs `tutela sar deliver`
against a real SMTP server (aiosmtpd), killed at a random point of its run
(drawn with a fixed seed from a clean round's duration); a last run sends
what is left. Every message must then be ``sent`` with one attempt, and the
server must have received every Message-ID, with no more repeats than kills.
`KILLS` rounds (``TUTELA_TEST_KILLS``: 5 by default, 20 in `make test-long`),
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.factories import store_env
from tests.faults.crash import gone, kills, run_cli, timed_run
from tests.rights.conftest import Sink, free_port
from tests.tally import tried
from tutela.config import Settings
from tutela.mail.outbox import enqueue
from tutela.store.db import Store
from tutela.store.models import OutboxMessage

KILLS = kills()  # TUTELA_TEST_KILLS: 5 by default, 20 in `make test-long`
MAX_ATTEMPTS = 3 * KILLS
PER_ROUND = 4
SEED = 1317
LEASE_SECONDS = 1


@pytest.fixture
def sink() -> Iterator[Sink]:
    found = Sink(free_port())
    controller = Controller(found, hostname="127.0.0.1", port=found.port)
    controller.start()
    try:
        yield found
    finally:
        controller.stop()


def _add_messages(store: Store, settings: Settings, round_no: int) -> None:
    with store.session() as session:
        for n in range(PER_ROUND):
            enqueue(
                session,
                kind="policy_notice",
                to=f"subscriber-{round_no}-{n}@example.test",
                subject="Our privacy policy changes",
                body="A test notice.",
                sender=settings.mail_from,
            )


def _statuses(store: Store) -> list[tuple[str, str, int]]:
    with store.session() as session:
        rows = session.execute(
            select(
                OutboxMessage.message_id, OutboxMessage.status, OutboxMessage.attempts
            ).order_by(OutboxMessage.id)
        ).all()
    return [(str(m), str(s), int(a)) for m, s, a in rows]


@pytest.mark.postgresql
@pytest.mark.clause("changes.notice")
@pytest.mark.clause("rights.access.verification")
def test_killed_outbox_workers_lose_no_message_and_repeat_at_most_one_per_kill(
    store: Store, settings: Settings, sink: Sink, tmp_path: Path
) -> None:
    env = store_env(settings) | {
        "TUTELA_SMTP_HOST": "127.0.0.1",
        "TUTELA_SMTP_PORT": str(sink.port),
        # What a killed worker had claimed is sent again once its lease ends.
        "TUTELA_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    log = tmp_path / "runs.log"
    argv = ["sar", "deliver", "--json"]
    _add_messages(store, settings, 0)
    took = timed_run(argv, env, log=log)
    assert len(sink.received) == PER_ROUND
    rng = random.Random(SEED)
    landed = 0
    for round_no in range(1, MAX_ATTEMPTS + 1):
        if landed == KILLS:
            break
        _add_messages(store, settings, round_no)
        outcome = run_cli(argv, env, log=log, kill_after=rng.uniform(0.0, took))
        if not outcome.killed:
            assert outcome.exitcode == 0, log.read_text(errors="replace")[-2000:]
            continue
        landed += 1
        assert gone(outcome.children) == []
    assert landed == KILLS, f"only {landed} kills landed while the worker ran"
    # Rows a killed worker claimed wait for its lease to end (and its
    # PostgreSQL session may hold a row a moment longer): run as a scheduler
    # would, until none is left.
    for _ in range(20):
        time.sleep(LEASE_SECONDS)
        final = run_cli(argv, env, log=log)
        assert final.exitcode == 0, log.read_text(errors="replace")[-2000:]
        if all(status == "sent" for _, status, _ in _statuses(store)):
            break
    rows = _statuses(store)
    assert [(status, attempts) for _, status, attempts in rows] == [("sent", 1)] * len(
        rows
    )
    received = Counter(str(msg["Message-ID"]) for _, msg in sink.received)
    assert set(received) == {message_id for message_id, _, _ in rows}
    repeats = sum(received.values()) - len(received)
    assert repeats <= landed
    tried("kills survived", landed)
