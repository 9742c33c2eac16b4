"""`tutela disclose` and `tutela ledger --subject`: the ledger from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.access.world import build_world
from tests.factories import StaffUser, add_staff, staff_env
from tutela.cli.app import app
from tutela.config import Settings
from tutela.store.db import Store


def run(settings: Settings, staff: StaffUser, *args: str) -> tuple[int, str]:
    env = staff_env(settings, staff) | {
        "TUTELA_DATABASE_URL": settings.database_url or ""
    }
    result = CliRunner().invoke(app, [*args, "--data", str(settings.data)], env=env)
    return result.exit_code, result.stdout


@pytest.mark.clause("disclose.legal_obligation")
def test_disclose_then_list_the_subjects_ledger(
    store: Store, settings: Settings
) -> None:
    world = build_world(store)
    officer = add_staff(store)
    args = [
        "disclose", "legal_authority", "--subject", str(world.carol),
        "--category", "call_records", "--purpose", "legal_obligation",
        "--country", "US", "--json",
    ]  # fmt: skip
    code, out = run(settings, officer, *args)
    assert code == 1 and json.loads(out)["ok"] is False
    code, out = run(
        settings,
        officer,
        *args,
        "--reference",
        "2:18-mj-00123",
        "--authority",
        "D. Utah",
    )
    assert code == 0, out
    assert json.loads(out)["disclosure"]["subjects"][0]["crossed_border"] is True
    code, out = run(
        settings, officer, "ledger", "--subject", str(world.carol), "--json"
    )
    payload = json.loads(out)
    assert code == 0 and payload["count"] == 2
    assert [d["allowed"] for d in payload["data"]] == [False, True]
    assert {d["actor"] for d in payload["data"]} == {officer.actor}
    code, out = run(settings, officer, "ledger", "--subject", str(world.carol))
    assert code == 0 and "2 disclosure decision(s)" in out
