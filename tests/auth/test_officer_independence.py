"""Two people means two people: the root of trust, the waiting period, independence, proposals.

Clauses: rights.access.verification (the second officer of an override is a
second person), secure.measures (the first two officers come from the root
of trust and are audited as such; every later one is proposed by one
officer and approved by an independent second; who administered whom is
recorded).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from tests.factories import (
    STAFF_PASSWORD,
    add_staff,
    approved_officer,
    bootstrap_officers,
    staff_env,
    store_env,
)
from tests.rights.conftest import add_person, message
from tutela.auth import (
    AuthenticationFailed,
    NotIndependent,
    add_user,
    approve_proposal,
    change_role,
    check_independent_approver,
    propose_officer,
    propose_raise,
    set_password,
    set_password_with_setup,
)
from tutela.cli.app import app
from tutela.config import Settings
from tutela.errors import Conflict, InvalidInput
from tutela.rights import verification
from tutela.rights.cases import show_case
from tutela.rights.intake import intake_message
from tutela.store import Clock
from tutela.store.db import Store
from tutela.store.models import AuditEntry, UserAdminEvent

pytestmark = pytest.mark.clause("secure.measures")

RUNNER = CliRunner()
NO_STAFF: dict[str, str | None] = {
    "TUTELA_STAFF": None,
    "TUTELA_STAFF_PASSWORD": None,
    "TUTELA_STAFF_TOKEN": None,
}
DAY = dt.timedelta(days=1)


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return RUNNER.invoke(app, list(args), env={**NO_STAFF, **env}, input=stdin)


def audited(store: Store, action: str) -> list[tuple[str, dict[str, object]]]:
    with store.session() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.details)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.seq)
        ).all()
    return [(str(actor), json.loads(details)) for actor, details in rows]


def high_risk_case(store: Store, settings: Settings) -> int:
    add_person(store)
    case_id = intake_message(
        store, message("spoofed_dmarc_fail.eml"), settings=settings
    ).case_id
    assert case_id is not None
    return case_id


# ------------------------------------------------------------ root of trust


def test_the_root_of_trust_makes_the_first_two_officers_and_no_more(
    store: Store, settings: Settings
) -> None:
    env = store_env(settings)
    first = cli(
        env,
        *("users", "add", "--email", "one@staff.test", "--role", "privacy_officer"),
        "--password-stdin",
        stdin=STAFF_PASSWORD + "\n",
    )
    assert first.exit_code == 0, first.output
    # The first officer cannot make the second: signed in, they would hold both
    # accounts and so approve their own proposals.
    one = env | {
        "TUTELA_STAFF": "one@staff.test",
        "TUTELA_STAFF_PASSWORD": STAFF_PASSWORD,
    }
    by_the_first = cli(
        one, "users", "add", "--email", "two@staff.test", "--role", "privacy_officer"
    )
    assert isinstance(by_the_first.exception, InvalidInput)
    assert "first officer cannot make the second" in by_the_first.exception.message
    # The host's operator, signed in as nobody, makes the second.
    second = cli(
        env,
        *("users", "add", "--email", "two@staff.test", "--role", "privacy_officer"),
        "--json",
    )
    assert second.exit_code == 0, second.output
    shown = json.loads(second.stdout)
    assert shown["user"]["role"] == "privacy_officer" and len(shown["password"]) >= 12
    # ... and both are audited as the root of trust, numbered.
    added = audited(store, "auth.user_added")
    assert [(a, d["bootstrap"]) for a, d in added] == [
        ("system:bootstrap", 1),
        ("system:bootstrap", 2),
    ]
    assert added[0][1]["signed_in"] is None
    assert added[1][1]["signed_in"] is None
    # No waiting period and no shared administrator: they are two people at once.
    one_id, two_id = (d["user_id"] for _, d in added)
    check_independent_approver(
        store, proposer=int(str(one_id)), approver=int(str(two_id))
    )
    # A third is only proposed.
    third = cli(
        one, "users", "add", "--email", "three@staff.test", "--role", "privacy_officer"
    )
    assert third.exit_code == 0 and "proposal" in third.stdout
    assert "password" not in third.stdout


# ------------------------------------------------------------ waiting period


@pytest.mark.clause("rights.access.verification")
def test_a_new_officer_approves_nothing_in_their_first_week(
    store: Store, settings: Settings, clock: Clock
) -> None:
    first, second = bootstrap_officers(store)
    new = approved_officer(store, first, second)
    case_id = high_risk_case(store, settings)
    verification.propose_override(store, case_id, staff=second.actor, reason="called")
    clock.advance(6 * DAY)
    with pytest.raises(NotIndependent) as early:
        verification.approve_override(store, case_id, staff=new.actor)
    assert early.value.reason == "waiting"
    clock.advance(DAY + dt.timedelta(hours=1))
    verification.approve_override(store, case_id, staff=new.actor)
    assert show_case(store, case_id).state == "verified"


def test_the_waiting_period_is_the_setting_in_force_at_approval(
    store: Store, settings: Settings, clock: Clock
) -> None:
    first, second = bootstrap_officers(store)
    proposed = propose_officer(store, email="new@staff.test", actor=first.actor)
    approved = cli(
        staff_env(settings, second) | {"TUTELA_OFFICER_APPROVAL_DAYS": "10"},
        *("users", "approve", str(proposed.proposal.id), "--json"),
    )
    assert approved.exit_code == 0, approved.output
    new_id = json.loads(approved.stdout)["user_id"]
    clock.advance(9 * DAY)
    with pytest.raises(NotIndependent, match="recently"):
        check_independent_approver(store, proposer=second.id, approver=new_id)
    clock.advance(DAY + dt.timedelta(hours=1))
    check_independent_approver(store, proposer=second.id, approver=new_id)
    with store.session() as session:
        event = session.scalars(
            select(UserAdminEvent).where(UserAdminEvent.user_id == new_id)
        ).one()
    assert (event.by_user_id, event.approved_by_user_id) == (first.id, second.id)
    assert event.waiting_until is not None and event.kind == "created"


# ------------------------------------------------------------ independence


def test_whoever_administered_the_other_is_no_second_person(store: Store) -> None:
    first, second = bootstrap_officers(store)
    # first made an auditor, who made a billing clerk: first may hold both.
    auditor = add_user(
        store, email="au@staff.test", role="auditor", actor=first.actor
    ).id
    clerk = add_user(
        store, email="bi@staff.test", role="billing", actor="system:cli"
    ).id
    set_password(
        store, email="bi@staff.test", password=STAFF_PASSWORD, actor=f"staff:{auditor}"
    )
    for proposer, approver in (
        (first.id, auditor),
        (auditor, first.id),
        (first.id, clerk),
    ):
        with pytest.raises(NotIndependent) as refused:
            check_independent_approver(store, proposer=proposer, approver=approver)
        assert refused.value.reason == "administered"
    # A role given counts as much as an account made.
    change_role(store, clerk, "engineering", actor=second.actor)
    with pytest.raises(NotIndependent, match="gave a role"):
        check_independent_approver(store, proposer=clerk, approver=second.id)
    # Two whose passwords the same person set are not two people.
    pair = [
        add_user(store, email=f"{n}@staff.test", role="support_agent").id
        for n in ("x", "y")
    ]
    for n in ("x", "y"):
        set_password(
            store, email=f"{n}@staff.test", password=STAFF_PASSWORD, actor=first.actor
        )
    with pytest.raises(NotIndependent, match=f"administered by user {first.id}"):
        check_independent_approver(store, proposer=pair[0], approver=pair[1])
    with pytest.raises(NotIndependent) as same:
        check_independent_approver(store, proposer=first.id, approver=first.id)
    assert same.value.reason == "same_person"
    # The two the root of trust made are.
    check_independent_approver(store, proposer=first.id, approver=second.id)


def test_an_officer_the_proposer_made_cannot_approve_their_raise(
    store: Store, clock: Clock
) -> None:
    first, second = bootstrap_officers(store)
    new = approved_officer(store, first, second)
    clock.advance(8 * DAY)
    auditor = add_staff(store, "auditor")
    raised = propose_raise(
        store, user_id=auditor.id, role="privacy_officer", actor=first.actor
    )
    with pytest.raises(NotIndependent, match="not a second person"):
        approve_proposal(store, raised.proposal.id, actor=new.actor)
    done = approve_proposal(store, raised.proposal.id, actor=second.actor)
    assert done.user_id == auditor.id and done.setup_half is None
    # The new officer (approved by `second`, never holding a credential of
    # theirs) and `second` are two people once the week is over.
    check_independent_approver(store, proposer=second.id, approver=new.id)
    with pytest.raises(NotIndependent):
        check_independent_approver(store, proposer=first.id, approver=new.id)


# ------------------------------------------------------------ proposals


def test_proposals_expire_and_so_do_setup_codes(store: Store, clock: Clock) -> None:
    first, second = bootstrap_officers(store)
    stale = propose_officer(store, email="late@staff.test", actor=first.actor)
    clock.advance(7 * DAY + dt.timedelta(hours=1))
    with pytest.raises(Conflict, match="expired"):
        approve_proposal(store, stale.proposal.id, actor=second.actor)
    fresh = propose_officer(store, email="late@staff.test", actor=first.actor)
    done = approve_proposal(store, fresh.proposal.id, actor=second.actor)
    assert fresh.setup_half and done.setup_half
    clock.advance(7 * DAY + dt.timedelta(hours=1))
    with pytest.raises(AuthenticationFailed, match="wrong, used or expired"):
        set_password_with_setup(
            store,
            email="late@staff.test",
            halves=(fresh.setup_half, done.setup_half),
            password="a password nobody else knows",
        )


def test_proposals_are_listed_rejected_and_audited_in_the_cli(
    store: Store, settings: Settings
) -> None:
    first, second = bootstrap_officers(store)
    env = staff_env(settings, first)
    made = cli(
        env, "users", "add", "--email", "new@staff.test", "--role", "privacy_officer"
    )
    assert made.exit_code == 0 and "first half" in made.stdout
    again = cli(
        env, "users", "add", "--email", "new@staff.test", "--role", "privacy_officer"
    )
    assert isinstance(again.exception, Conflict)
    listed = cli(staff_env(settings, second), "users", "proposals", "--json")
    (pending,) = json.loads(listed.stdout)["data"]
    assert (pending["kind"], pending["email"], pending["proposed_by"]) == (
        "add",
        "new@staff.test",
        first.id,
    )
    rejected = cli(env, "users", "reject", str(pending["id"]))
    assert rejected.exit_code == 0, rejected.output
    late = cli(staff_env(settings, second), "users", "approve", str(pending["id"]))
    assert isinstance(late.exception, Conflict) and "rejected" in late.exception.message
    empty = cli(staff_env(settings, second), "users", "proposals", "--json")
    assert json.loads(empty.stdout)["count"] == 0
    for action in ("auth.officer_proposed", "auth.officer_rejected"):
        ((actor, details),) = audited(store, action)
        assert actor == first.actor and details["proposal_id"] == pending["id"]
        assert "new@staff.test" not in json.dumps(details)


def test_a_new_officer_is_made_signs_in_and_works_after_the_week(
    store: Store, settings: Settings, clock: Clock
) -> None:
    first, second = bootstrap_officers(store)
    proposed = cli(
        staff_env(settings, first),
        *("users", "add", "--email", "new@staff.test", "--role", "privacy_officer"),
        "--json",
    )
    payload = json.loads(proposed.stdout)
    approved = cli(
        staff_env(settings, second),
        *("users", "approve", str(payload["proposal"]["id"])),
    )
    assert approved.exit_code == 0, approved.output
    assert "second half" in approved.stdout
    second_half = approved.stdout.split("new officer): ", 1)[1].split()[0]
    chosen = "only the new officer knows this"
    done = cli(
        store_env(settings),
        *("users", "set-password", "--email", "new@staff.test"),
        stdin=f"{payload['setup_half']}\n{second_half}\n{chosen}\n",
    )
    assert done.exit_code == 0, done.output
    new_env = store_env(settings) | {
        "TUTELA_STAFF": "new@staff.test",
        "TUTELA_STAFF_PASSWORD": chosen,
    }
    listed = cli(new_env, "users", "list", "--json")
    assert listed.exit_code == 0, listed.output
    case_id = high_risk_case(store, settings)
    verification.propose_override(store, case_id, staff=second.actor, reason="called")
    clock.advance(7 * DAY + dt.timedelta(hours=1))
    verified = cli(new_env, "sar", "verify", str(case_id), "--approve-override")
    assert verified.exit_code == 0, verified.output
    assert show_case(store, case_id).state == "verified"
    approved_entry = audited(store, "auth.officer_approved")
    assert [a for a, _ in approved_entry] == [second.actor]
