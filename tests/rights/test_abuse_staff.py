"""Abuse: nobody acts as staff by typing a number; an override takes two real officers.

Clauses: rights.access.verification (a staff override of identity
verification is proposed and approved by two distinct, real, active privacy
officers, both named in the audit log), secure.measures (every CLI command
that acts as staff signs a real person in: password or staff API token).
Everything runs through the real `tutela` CLI (in this process) on the real
store.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from tests.factories import (
    STAFF_PASSWORD,
    StaffUser,
    add_staff,
    staff_env,
    store_env,
    token_env,
)
from tests.rights.conftest import OnFile, message
from tutela.auth.signin import (
    AuthenticationFailed,
    AuthSettings,
    LockedOut,
    add_user,
)
from tutela.auth.staff import StaffRefused
from tutela.auth.user_admin import disable_user
from tutela.cli.app import app
from tutela.config import Settings
from tutela.policy.loader import DEFAULT_POLICY
from tutela.rights import verification
from tutela.rights.cases import show_case
from tutela.rights.intake import intake_message
from tutela.rights.verification import VerificationFailed
from tutela.store.db import Store
from tutela.store.models import AuditEntry

pytestmark = pytest.mark.clause("rights.access.verification")

RUNNER = CliRunner()
NO_STAFF: dict[str, str | None] = {
    "TUTELA_STAFF": None,
    "TUTELA_STAFF_PASSWORD": None,
    "TUTELA_STAFF_TOKEN": None,
}


def cli(env: dict[str, str], *args: str) -> Result:
    return RUNNER.invoke(app, list(args), env={**NO_STAFF, **env})


def high_risk_case(store: Store, settings: Settings) -> int:
    """A case whose e-mail failed DMARC: only an override (or more) verifies it."""
    case_id = intake_message(
        store, message("spoofed_dmarc_fail.eml"), settings=settings
    ).case_id
    assert case_id is not None
    return case_id


def propose(settings: Settings, officer: StaffUser, case_id: int) -> Result:
    return cli(
        staff_env(settings, officer),
        *("sar", "verify", str(case_id), "--propose-override", "called back on file"),
        "--json",
    )


def approve(settings: Settings, officer: StaffUser, case_id: int) -> Result:
    return cli(
        staff_env(settings, officer),
        *("sar", "verify", str(case_id), "--approve-override", "--json"),
    )


def test_a_made_up_staff_id_cannot_approve_an_override(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    officer = add_staff(store)
    case_id = high_risk_case(store, settings)
    assert propose(settings, officer, case_id).exit_code == 0
    # The old way, `--staff 999999`, is no longer an option at all ...
    typed = cli(
        staff_env(settings, officer),
        *("sar", "verify", str(case_id), "--approve-override", "--staff", "999999"),
    )
    assert typed.exit_code == 2 and "No such option" in typed.output
    # ... a made-up address cannot sign in ...
    ghost = cli(
        store_env(settings)
        | {"TUTELA_STAFF": "ghost@staff.test", "TUTELA_STAFF_PASSWORD": STAFF_PASSWORD},
        *("sar", "verify", str(case_id), "--approve-override"),
    )
    assert isinstance(ghost.exception, AuthenticationFailed)
    # ... and the workflow itself refuses an actor id that is no user.
    with pytest.raises(StaffRefused, match="not a user"):
        verification.approve_override(store, case_id, staff="staff:999999")
    assert show_case(store, case_id).state == "verifying"


def test_one_officer_cannot_both_propose_and_approve(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    first, second = add_staff(store), add_staff(store)
    case_id = high_risk_case(store, settings)
    assert propose(settings, first, case_id).exit_code == 0
    same = approve(settings, first, case_id)
    assert isinstance(same.exception, VerificationFailed)
    assert "proposer cannot approve" in same.exception.message
    assert show_case(store, case_id).state == "verifying"

    done = approve(settings, second, case_id)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["verified"] is True
    with store.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "sar.verified")
        ).one()
    details = json.loads(entry.details)
    assert entry.actor == second.actor
    assert details["proposer_user_id"] == first.id
    assert details["approver_user_id"] == second.id


def test_a_disabled_officer_cannot_propose_approve_or_sign_in(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    first, second = add_staff(store), add_staff(store)
    add_staff(store)  # never the last officer: a third stays to undo it
    case_id = high_risk_case(store, settings)
    assert propose(settings, first, case_id).exit_code == 0
    disable_user(store, email=first.email)
    # A proposal by someone since disabled does not count.
    stale = approve(settings, second, case_id)
    assert isinstance(stale.exception, StaffRefused)
    assert "disabled" in stale.exception.message
    # The disabled officer can neither sign in nor be named as an actor.
    signed = propose(settings, first, case_id)
    assert isinstance(signed.exception, AuthenticationFailed)
    with pytest.raises(StaffRefused, match="disabled"):
        verification.propose_override(
            store, case_id, staff=first.actor, reason="called back"
        )
    disable_user(store, email=second.email)
    with pytest.raises(StaffRefused, match="disabled"):
        verification.approve_override(store, case_id, staff=second.actor)
    assert show_case(store, case_id).state == "verifying"


def test_staff_who_are_not_privacy_officers_cannot_override_or_decide(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    officer = add_staff(store)
    agent = add_staff(store, "support_agent")
    case_id = high_risk_case(store, settings)
    refused = propose(settings, agent, case_id)
    assert isinstance(refused.exception, StaffRefused)
    assert "privacy_officer" in refused.exception.message
    assert propose(settings, officer, case_id).exit_code == 0
    with pytest.raises(StaffRefused, match="support_agent"):
        verification.approve_override(store, case_id, staff=agent.actor)
    decided = cli(
        staff_env(settings, agent),
        *("sar", "decide", str(case_id), "--reject", "excessive"),
    )
    assert isinstance(decided.exception, StaffRefused)
    assert show_case(store, case_id).state == "verifying"


def test_a_customer_token_cannot_act_as_staff(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    add_staff(store)
    add_user(
        store,
        email="admin@acme.test",
        role="customer_admin",
        person_id=ann.person_id,
        password=STAFF_PASSWORD,
    )
    customer = StaffUser(0, "admin@acme.test", "customer_admin")
    case_id = high_risk_case(store, settings)
    by_token = cli(token_env(store, settings, customer), "sar", "show", str(case_id))
    assert isinstance(by_token.exception, StaffRefused)
    by_password = cli(staff_env(settings, customer), "sar", "show", str(case_id))
    assert isinstance(by_password.exception, StaffRefused)
    assert by_token.stdout == by_password.stdout == ""


def test_wrong_staff_passwords_are_refused_and_lock_the_address(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    officer = add_staff(store)
    case_id = high_risk_case(store, settings)
    wrong = staff_env(settings, officer) | {"TUTELA_STAFF_PASSWORD": "not my password"}
    for _ in range(AuthSettings().max_failures):
        failed = cli(wrong, "sar", "show", str(case_id), "--json")
        assert isinstance(failed.exception, AuthenticationFailed)
        assert not isinstance(failed.exception, LockedOut)
    locked = cli(staff_env(settings, officer), "sar", "show", str(case_id))
    assert isinstance(locked.exception, LockedOut)


def test_a_staff_token_signs_in_and_the_audit_names_the_person(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    officer = add_staff(store)
    case_id = high_risk_case(store, settings)
    env = token_env(store, settings, officer)
    shown = cli(env, "sar", "show", str(case_id), "--json")
    assert shown.exit_code == 0, shown.output
    extended = cli(
        env, "sar", "extend", str(case_id), "--reason", "complex request", "--json"
    )
    assert extended.exit_code == 0, extended.output
    with store.session() as session:
        actors = {
            e.action: e.actor
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
        }
    assert actors["auth.cli_sign_in"] == officer.actor
    assert actors["sar.extended"] == officer.actor
    # A token of someone else than the one named is refused.
    other = add_staff(store)
    mixed = cli(env | {"TUTELA_STAFF": other.email}, "sar", "show", str(case_id))
    assert isinstance(mixed.exception, AuthenticationFailed)


STAFF_COMMANDS = [
    ("sar", "list"),
    ("sar", "show", "1"),
    ("sar", "verify", "1", "--send-code"),
    ("sar", "decide", "1", "--reject", "excessive"),
    ("sar", "export", "1"),
    ("sar", "extend", "1", "--reason", "complex"),
    ("disclose", "payment_processor", "--subject", "1", "--category", "payment")
    + ("--purpose", "collect_payment", "--country", "US"),
    ("ledger", "--subject", "1"),
    ("recordings", "list"),
    ("voicemail", "list"),
    ("voicemail", "delete", "1"),
    ("users", "list"),
    ("users", "add", "--email", "new@staff.test", "--role", "billing"),
    # Once the root's two officers exist, nobody "bootstraps" a third anonymously.
    ("users", "add", "--email", "po3@staff.test", "--role", "privacy_officer"),
    ("users", "disable", "--email", "new@staff.test"),
    ("users", "token", "--email", "new@staff.test"),
    ("keys", "rotate"),
    ("retention", "run"),
    ("policy", "publish", str(DEFAULT_POLICY)),
]


@pytest.mark.clause("secure.measures")
@pytest.mark.parametrize("command", STAFF_COMMANDS, ids=" ".join)
def test_no_staff_command_runs_without_a_signed_in_person(
    store: Store, settings: Settings, command: tuple[str, ...]
) -> None:
    # The root of trust's two officers exist: nothing runs as "the first user".
    add_staff(store)
    add_staff(store)
    anonymous = cli(store_env(settings), *command, "--json")
    assert isinstance(anonymous.exception, AuthenticationFailed), anonymous.output
    assert "--as EMAIL" in anonymous.exception.message
    assert anonymous.stdout == ""
