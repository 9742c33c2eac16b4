"""Restoring a backup re-anchors the witness only through `tutela audit reanchor`:
a signed-in privacy officer, a reason, a signed witness record and an audit
entry. A database rolled back further than the re-anchor still fails.

The backup is real: every row of the audit tables, read out and later put
back in place of what the database then holds, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Table, delete, insert, select, text, update
from typer.testing import CliRunner

from tutela.audit import AuditLog, audit_log, read_witness
from tutela.audit.witness import DEFAULT_WITNESS
from tutela.cli.app import app
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, InvalidInput
from tutela.store.db import Store
from tutela.store.models import AuditCheckpoint, AuditEntry, AuditHead

pytestmark = pytest.mark.clause("secure.measures")

PASSWORD = "reanchor-password-for-tests-only"
OFFICER = "officer@example.com"
REASON = "restored the backup of the night before after a disk failure"
Backup = dict[str, list[dict[str, Any]]]
TABLES: list[Table] = [
    AuditEntry.__table__,  # type: ignore[list-item]
    AuditCheckpoint.__table__,  # type: ignore[list-item]
]


def cli(
    settings: Settings,
    *args: str,
    staff: str | None = OFFICER,
    stdin: str | None = None,
) -> tuple[int, str, BaseException | None]:
    env = {"TUTELA_DATABASE_URL": settings.database_url or ""}
    if staff:
        env |= {"TUTELA_STAFF": staff, "TUTELA_STAFF_PASSWORD": PASSWORD}
    result = CliRunner().invoke(
        app, [*args, "--data", str(settings.data)], env=env, input=stdin
    )
    return result.exit_code, result.stdout + result.stderr, result.exception


def add_user(settings: Settings, email: str, role: str, *, first: bool = False) -> None:
    code, out, _ = cli(
        settings,
        "users", "add", "--email", email, "--role", role, "--password-stdin",
        staff=None if first else OFFICER, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, out


def rounds(log: AuditLog, n: int) -> int:
    for i in range(n):
        log.append(actor="staff:1", action="admin.tick", subjects=[i])
        log.checkpoint()
    return log.head()[0]


def backup(store: Store) -> Backup:
    with store.engine.connect() as conn:
        saved = {
            t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in TABLES
        }
        saved["head"] = [dict(r._mapping) for r in conn.execute(select(AuditHead))]
    return saved


def restore(store: Store, saved: Backup) -> None:
    with store.engine.begin() as conn:
        for table in reversed(TABLES):
            conn.execute(delete(table))
        for table in TABLES:
            if saved[table.name]:
                conn.execute(insert(table), saved[table.name])
        head = saved["head"][0]
        conn.execute(update(AuditHead).values(seq=head["seq"], hash=head["hash"]))


def verify(settings: Settings) -> tuple[int, dict[str, Any]]:
    code, out, _ = cli(settings, "audit", "verify", "--json", staff=None)
    return code, json.JSONDecoder().raw_decode(out)[0]["audit"]


@pytest.fixture
def officer(store: Store, settings: Settings) -> int:
    """The privacy officer's user id."""
    add_user(settings, OFFICER, "privacy_officer", first=True)
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT id FROM users")).scalar_one())


def test_a_restored_backup_passes_again_only_after_a_reanchor(
    store: Store, settings: Settings, officer: int
) -> None:
    log = audit_log(store)
    backed_up = rounds(log, 2)
    saved = backup(store)
    witnessed = rounds(log, 3)
    restore(store, saved)
    code, report = verify(settings)
    assert code == 1 and report["witness_head_seq"] == witnessed
    assert f"the database's head is entry {backed_up}" in report["problem"]

    code, out, _ = cli(settings, "audit", "reanchor", "--reason", REASON, "--json")
    assert code == 0, out
    done = json.JSONDecoder().raw_decode(out)[0]["reanchor"]
    assert done["witnessed_seq"] == witnessed and done["kept_seq"] == backed_up
    assert done["officer"] == f"staff:{officer}"

    last = read_witness(store.data_dir / DEFAULT_WITNESS).records[-1]
    assert last.kind == "reanchor" and last.signed_by(log.signer.verifier())
    assert (last.old_seq, last.kept_seq, last.reason) == (witnessed, backed_up, REASON)
    assert (last.seq, last.hash) == log.head()
    with store.engine.connect() as conn:
        entry = conn.execute(
            text("SELECT actor, details FROM audit_entries WHERE seq = :s"),
            {"s": last.entry},
        ).one()
    assert entry.actor == f"staff:{officer}"
    assert json.loads(entry.details)["reason"] == REASON

    code, report = verify(settings)
    assert code == 0, report["problem"]
    assert [(r["officer"], r["reason"], r["witnessed_seq"], r["kept_seq"])
            for r in report["reanchors"]] == [
        (f"staff:{officer}", REASON, witnessed, backed_up)
    ]  # fmt: skip
    code, out, _ = cli(settings, "audit", "verify", staff=None)
    assert code == 0 and f"re-anchored at {last.at} by staff:{officer}" in out

    rounds(log, 2)  # life goes on after the re-anchor
    assert verify(settings)[0] == 0
    restore(store, saved)  # further back than the re-anchor's head
    code, report = verify(settings)
    assert code == 1 and report["witness_head_seq"] > backed_up
    assert "cut off the end" in report["problem"]


def test_a_restore_that_went_on_past_the_old_head_is_reanchored_too(
    store: Store, settings: Settings, officer: int
) -> None:
    log = audit_log(store)
    backed_up = rounds(log, 1)
    saved = backup(store)
    witnessed = rounds(log, 2)
    restore(store, saved)
    assert rounds(log, 4) > witnessed  # new entries where the lost ones were
    code, report = verify(settings)
    assert code == 1 and "differs from witness record" in report["problem"]
    code, out, _ = cli(settings, "audit", "reanchor", "--reason", REASON, "--json")
    assert code == 0, out
    assert json.JSONDecoder().raw_decode(out)[0]["reanchor"]["kept_seq"] == backed_up
    assert verify(settings)[0] == 0


def test_reanchor_refuses_when_the_database_is_not_behind(
    store: Store, settings: Settings, officer: int
) -> None:
    rounds(audit_log(store), 1)
    code, out, raised = cli(settings, "audit", "reanchor", "--reason", REASON)
    assert isinstance(raised, Conflict) and "nothing to re-anchor" in str(raised)


def test_reanchor_needs_a_privacy_officer_and_a_plain_reason(
    store: Store, settings: Settings, officer: int
) -> None:
    log = audit_log(store)
    rounds(log, 1)
    saved = backup(store)
    rounds(log, 1)
    add_user(settings, "agent@example.com", "support_agent")
    restore(store, saved)
    _, _, raised = cli(
        settings, "audit", "reanchor", "--reason", REASON, staff="agent@example.com"
    )
    assert isinstance(raised, Forbidden)
    _, _, raised = cli(
        settings, "audit", "reanchor", "--reason", "asked by x@y.example"
    )
    assert isinstance(raised, InvalidInput) and "reason" in str(raised)
    _, _, raised = cli(settings, "audit", "reanchor", "--reason", "  ")
    assert isinstance(raised, InvalidInput)
    witness = read_witness(store.data_dir / DEFAULT_WITNESS).records
    assert all(r.kind == "checkpoint" for r in witness)
    assert verify(settings)[0] == 1  # still behind: nothing was re-anchored


def test_reanchor_refuses_an_edited_witness(
    store: Store, settings: Settings, officer: int
) -> None:
    log = audit_log(store)
    rounds(log, 1)
    saved = backup(store)
    rounds(log, 2)
    restore(store, saved)
    path = store.data_dir / DEFAULT_WITNESS
    kept = path.read_text(encoding="ascii").splitlines()
    path.write_text("".join(line + "\n" for line in kept[:-2] + kept[-1:]))
    _, _, raised = cli(settings, "audit", "reanchor", "--reason", REASON)
    assert isinstance(raised, Conflict) and "fails its own checks" in str(raised)


def test_reanchor_refuses_a_database_whose_own_chain_is_broken(
    store: Store, settings: Settings, officer: int
) -> None:
    log = audit_log(store)
    rounds(log, 1)
    saved = backup(store)
    rounds(log, 2)
    restore(store, saved)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_entries SET details = :d WHERE seq = 2"),
            {"d": json.dumps({"x": 1})},
        )
    _, _, raised = cli(settings, "audit", "reanchor", "--reason", REASON)
    assert isinstance(raised, Conflict) and "chain is broken" in str(raised)
