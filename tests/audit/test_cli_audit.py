"""`tutela audit verify` exits 0 on an intact log and 1 after direct tampering."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tutela.audit import audit_log
from tutela.cli.app import app
from tutela.config import Settings
from tutela.store.db import Store


def run(settings: Settings, *args: str) -> tuple[int, str]:
    env = {"TUTELA_DATABASE_URL": settings.database_url or ""}
    result = CliRunner().invoke(app, [*args, "--data", str(settings.data)], env=env)
    return result.exit_code, result.stdout


@pytest.mark.clause("secure.measures")
def test_audit_verify_exits_0_then_1_after_tampering(
    store: Store, settings: Settings
) -> None:
    for i in range(5):
        audit_log(store).append(actor="staff:1", action="export", subjects=[i])
    code, out = run(settings, "audit", "verify", "--json")
    assert code == 0
    assert json.loads(out)["audit"]["entries"] == 5
    code, out = run(settings, "audit", "checkpoint", "--json")
    assert code == 0 and json.loads(out)["checkpoint"]["seq"] == 5
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET actor = 'staff:2' WHERE seq = 2"))
    code, out = run(settings, "audit", "verify", "--json")
    payload = json.loads(out)
    assert code == 1
    assert payload["ok"] is False and payload["audit"]["first_bad_seq"] == 2
    code, out = run(settings, "audit", "verify")
    assert code == 1 and "first bad entry 2" in out


def test_audit_verify_accepts_an_empty_log(settings: Settings) -> None:
    code, out = run(settings, "audit", "verify")
    assert code == 0 and "0 entries" in out
