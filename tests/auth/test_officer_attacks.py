"""One officer, one identity: every way to a second officer identity, refused.

Clauses: rights.access.verification (a staff override is approved by a
second, independent privacy officer), secure.measures (adding an officer or
raising a role needs a second officer; user administration is audited).
"""

from __future__ import annotations

import json

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tests.factories import add_staff, staff_env, store_env
from tests.rights.conftest import add_person, message
from tutela.cli.app import app
from tutela.config import Settings
from tutela.rights.cases import show_case
from tutela.rights.intake import intake_message
from tutela.store.db import Store

RUNNER = CliRunner()
NO_STAFF: dict[str, str | None] = {
    "TUTELA_STAFF": None,
    "TUTELA_STAFF_PASSWORD": None,
    "TUTELA_STAFF_TOKEN": None,
}


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return RUNNER.invoke(app, list(args), env={**NO_STAFF, **env}, input=stdin)


def high_risk_case(store: Store, settings: Settings) -> int:
    add_person(store)
    case_id = intake_message(
        store, message("spoofed_dmarc_fail.eml"), settings=settings
    ).case_id
    assert case_id is not None
    return case_id


@pytest.mark.clause("rights.access.verification")
def test_one_officer_cannot_complete_an_override_with_an_officer_they_add(
    store: Store, settings: Settings
) -> None:
    attacker, _other = add_staff(store), add_staff(store)
    case_id = high_risk_case(store, settings)
    env = staff_env(settings, attacker)
    proposed = cli(
        env, "sar", "verify", str(case_id), "--propose-override", "trust me", "--json"
    )
    assert proposed.exit_code == 0, proposed.output
    added = cli(
        env,
        *("users", "add", "--email", "sock@staff.test", "--role", "privacy_officer"),
        "--json",
    )
    secret = json.loads(added.stdout).get("password") if added.exit_code == 0 else None
    if secret is not None:
        cli(
            {"TUTELA_STAFF": "sock@staff.test", "TUTELA_STAFF_PASSWORD": secret}
            | store_env(settings),
            *("sar", "verify", str(case_id), "--approve-override", "--json"),
        )
    assert show_case(store, case_id).state == "verifying"
    assert secret is None
