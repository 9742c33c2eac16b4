"""The audit chain shows every edit, deletion, insertion, reordering and rebuild.

Each tampering is done straight in the database, as an attacker with write
access would; the tests that read the stored rows, the head and the
streaming verification run on PostgreSQL too.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
from sqlalchemy import text

from tutela.audit import GENESIS, AuditLog, audit_log, entry_hash
from tutela.audit.signing_keys import key_paths
from tutela.errors import InvalidInput
from tutela.store.db import Store

pytestmark = pytest.mark.clause("secure.measures")


def fill(store: Store, n: int = 12) -> AuditLog:
    log = audit_log(store)
    for i in range(n):
        log.append(
            actor=f"staff:{i % 3}",
            action="use.grant",
            purpose="collect_payment",
            subjects=[i, i + 1],
            details={"rows": i, "categories": ["payment"]},
        )
    return log


def sql(store: Store, statement: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.mark.postgresql
def test_an_untouched_chain_verifies(store: Store) -> None:
    log = fill(store)
    report = log.verify()
    assert report.ok and report.entries == 12 and report.first_bad_seq is None


@pytest.mark.postgresql
def test_each_entry_hashes_its_fields_and_the_previous_hash(store: Store) -> None:
    first = fill(store, 1).append(actor="staff:1", action="export", subjects=[4])
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM audit_entries WHERE seq = 1")).one()
    assert row.prev_hash == GENESIS
    assert first.prev_hash == row.hash
    assert row.hash == entry_hash(
        1,
        row.at,
        row.actor,
        row.action,
        row.purpose,
        row.subjects,
        row.details,
        GENESIS,
    )


def test_an_edited_entry_is_named(store: Store) -> None:
    log = fill(store)
    sql(store, "UPDATE audit_entries SET details = :d WHERE seq = 5", d='{"rows":0}')
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 5
    assert "altered" in (report.problem or "")


def test_a_deleted_entry_is_named(store: Store) -> None:
    log = fill(store)
    sql(store, "DELETE FROM audit_entries WHERE seq = 5")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 5
    assert "missing" in (report.problem or "")


@pytest.mark.postgresql
def test_an_inserted_entry_is_detected(store: Store) -> None:
    log = fill(store)
    sql(store, "UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 5")
    sql(store, "UPDATE audit_entries SET seq = seq - 999 WHERE seq >= 1000")
    with store.engine.connect() as conn:
        prev = conn.execute(
            text("SELECT hash FROM audit_entries WHERE seq = 4")
        ).scalar_one()
    at = "2018-01-21T00:00:00.000000Z"
    forged = entry_hash(5, at, "staff:9", "admin.noop", None, "[]", "{}", prev)
    sql(
        store,
        "INSERT INTO audit_entries (seq, at, actor, action, purpose, subjects, "
        "details, prev_hash, hash) VALUES (5, :at, 'staff:9', 'admin.noop', NULL, "
        "'[]', '{}', :prev, :hash)",
        at=at,
        prev=prev,
        hash=forged,
    )
    sql(store, "UPDATE audit_head SET seq = seq + 1")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 6


def test_reordered_entries_are_detected(store: Store) -> None:
    log = fill(store)
    sql(store, "UPDATE audit_entries SET seq = 1005 WHERE seq = 5")
    sql(store, "UPDATE audit_entries SET seq = 5 WHERE seq = 6")
    sql(store, "UPDATE audit_entries SET seq = 6 WHERE seq = 1005")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 5


def test_entries_cut_from_the_end_are_detected(store: Store) -> None:
    log = fill(store)
    sql(store, "DELETE FROM audit_entries WHERE seq > 10")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 11


@pytest.mark.postgresql
def test_a_rebuilt_chain_fails_its_signed_checkpoint(store: Store) -> None:
    log = fill(store)
    checkpoint = log.checkpoint()
    assert checkpoint is not None and checkpoint.seq == 12
    sql(store, "UPDATE audit_entries SET details = :d WHERE seq = 3", d='{"rows":0}')
    with store.engine.begin() as conn:  # recompute every hash, as an attacker would
        prev = GENESIS
        for row in conn.execute(text("SELECT * FROM audit_entries ORDER BY seq")).all():
            digest = entry_hash(
                row.seq, row.at, row.actor, row.action, row.purpose,
                row.subjects, row.details, prev,
            )  # fmt: skip
            conn.execute(
                text(
                    "UPDATE audit_entries SET prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"p": prev, "h": digest, "s": row.seq},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 12
    assert "checkpoint" in (report.problem or "")


def test_a_forged_checkpoint_signature_is_detected(store: Store) -> None:
    log = fill(store)
    log.checkpoint()
    sql(store, "UPDATE audit_checkpoints SET at = '2000-01-01T00:00:00.000000Z'")
    report = log.verify()
    assert not report.ok and "signature" in (report.problem or "")


def test_checkpoints_are_signed_every_n_entries(store: Store) -> None:
    log = AuditLog(store.engine, store.data_dir, checkpoint_every=5)
    for _ in range(11):
        log.append(actor="system:billing_run", action="admin.tick")
    with store.engine.connect() as conn:
        seqs = list(conn.execute(text("SELECT seq FROM audit_checkpoints")).scalars())
    assert sorted(seqs) == [5, 10]
    assert log.verify().ok


def test_signing_key_is_private_to_its_owner(store: Store) -> None:
    fill(store, 1).checkpoint()
    private, public = key_paths(store.data_dir)
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert public.exists()


def test_entries_hold_ids_never_addresses_or_numbers(store: Store) -> None:
    log = audit_log(store)
    with pytest.raises(InvalidInput):
        log.append(actor="alice@example.test", action="export")
    with pytest.raises(InvalidInput):
        log.append(actor="staff:1", action="export", details={"to": "bob@example.test"})
    with pytest.raises(InvalidInput):
        log.append(actor="staff:1", action="export", details={"phone": "+15550100123"})
    entry = log.append(actor="staff:1", action="export", subjects=[3, 1, 3])
    assert json.loads(entry.subjects) == [1, 3]
