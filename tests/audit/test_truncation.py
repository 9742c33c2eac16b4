"""Cutting the newest entries off the log, with their checkpoints and the head
row rolled back, is caught by the witness every store keeps by default.

Done as an attacker with write access to the database (not to the data
directory) would, on SQLite and on PostgreSQL, through the real command line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tutela.audit import audit_log
from tutela.cli.app import app
from tutela.config import Settings
from tutela.store.db import Store

pytestmark = pytest.mark.clause("secure.measures")


def cli(settings: Settings, *args: str) -> tuple[int, str]:
    env = {"TUTELA_DATABASE_URL": settings.database_url or ""}
    result = CliRunner().invoke(app, [*args, "--data", str(settings.data)], env=env)
    return result.exit_code, result.stdout + result.stderr


def parsed(out: str) -> Any:
    return json.JSONDecoder().raw_decode(out)[0]


def cut_tail(store: Store, first: int) -> None:
    """Delete entries from `first` on, their checkpoints, and roll the head back."""
    with store.engine.begin() as conn:
        conn.execute(
            text("DELETE FROM audit_checkpoints WHERE seq >= :s"), {"s": first}
        )
        conn.execute(text("DELETE FROM audit_entries WHERE seq >= :s"), {"s": first})
        conn.execute(
            text(
                "UPDATE audit_head SET seq = :s, hash = "
                "(SELECT hash FROM audit_entries WHERE seq = :s)"
            ),
            {"s": first - 1},
        )


def commands(store: Store, settings: Settings, n: int) -> list[int]:
    """`n` rounds of entries, each ending with `tutela audit checkpoint`; their heads."""
    heads = []
    for i in range(n):
        audit_log(store).append(actor="staff:1", action="admin.tick", subjects=[i])
        code, out = cli(settings, "audit", "checkpoint")
        assert code == 0, out
        heads.append(audit_log(store).head()[0])
    return heads


def test_a_cut_tail_with_its_checkpoints_and_head_fails_verify_by_default(
    store: Store, settings: Settings
) -> None:
    heads = commands(store, settings, 3)
    assert cli(settings, "audit", "verify")[0] == 0
    cut_tail(store, heads[1] + 1)  # the last command's entries are gone
    assert audit_log(store).head()[0] == heads[1]
    code, out = cli(settings, "audit", "verify", "--json")
    report = parsed(out)["audit"]
    assert code == 1
    assert report["first_bad_seq"] == heads[1] + 1
    assert report["witness_head_seq"] == heads[2]
    assert (
        f"the database's head is entry {heads[1]}, the witness's is entry {heads[2]}"
        in report["problem"]
    )
    code, out = cli(settings, "audit", "verify")
    assert code == 1 and "cut off the end" in out


def test_the_default_witness_is_in_the_data_directory(
    store: Store, settings: Settings
) -> None:
    heads = commands(store, settings, 1)
    witness = Path(settings.data) / "audit" / "witness.jsonl"
    lines = witness.read_text(encoding="ascii").splitlines()
    assert [json.loads(line)["seq"] for line in lines] == heads
    assert witness.stat().st_mode & 0o777 == 0o600
    assert witness.parent.stat().st_mode & 0o777 == 0o700
