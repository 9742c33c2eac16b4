"""One officer, one identity: every way to a second officer identity, tried and refused.

Clauses: rights.access.verification (a staff override is approved by a
second privacy officer, who must be a second person), secure.measures
(adding a privacy officer or raising a role to one needs a second,
independent officer; nobody takes over another staff member's identity).

The attacker holds ONE privacy officer account and the CLI on the host
(with that account's password), after the root of trust made the
deployment's first two officers. Each way to a second officer identity the
attacker controls is tried, in the CLI and the console: add, role change,
password reset, re-enabling, API tokens, half a setup code. Each is refused
or needs a genuinely independent second officer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from tests.factories import (
    STAFF_PASSWORD,
    StaffUser,
    add_staff,
    approved_officer,
    bootstrap_officers,
    staff_env,
    store_env,
)
from tests.rights.conftest import add_person, message
from tests.web.live import app_client
from tests.web.portal_world import sign_in
from tutela.auth import (
    AuthenticationFailed,
    NotIndependent,
    SecondOfficerNeeded,
    add_user,
    approve_proposal,
    bootstrap_officer,
    issue_api_token,
    propose_officer,
)
from tutela.cli.app import app
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, InvalidInput
from tutela.rights.cases import show_case
from tutela.rights.intake import intake_message
from tutela.store import Clock
from tutela.store.db import Store
from tutela.store.models import ApiToken, User, UserProposal

pytestmark = pytest.mark.clause("secure.measures")

RUNNER = CliRunner()
NO_STAFF: dict[str, str | None] = {
    "TUTELA_STAFF": None,
    "TUTELA_STAFF_PASSWORD": None,
    "TUTELA_STAFF_TOKEN": None,
}
SOCK = "sock@staff.test"
PAST_THE_WAIT = dt.timedelta(days=7, hours=1)
SHOWN = re.compile(r'id="(new-password|setup-half)">([^<]+)<')


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return RUNNER.invoke(app, list(args), env={**NO_STAFF, **env}, input=stdin)


def as_user(settings: Settings, email: str, password: str) -> dict[str, str]:
    return store_env(settings) | {
        "TUTELA_STAFF": email,
        "TUTELA_STAFF_PASSWORD": password,
    }


@pytest.fixture
def officers(store: Store) -> tuple[StaffUser, StaffUser]:
    """(attacker, honest): the two officers the root of trust made."""
    return bootstrap_officers(store)


def high_risk_case(store: Store, settings: Settings) -> int:
    """A case whose e-mail failed DMARC: only a staff override (or more) verifies it."""
    add_person(store)
    case_id = intake_message(
        store, message("spoofed_dmarc_fail.eml"), settings=settings
    ).case_id
    assert case_id is not None
    return case_id


def propose_override(env: dict[str, str], case_id: int) -> Result:
    return cli(
        env, "sar", "verify", str(case_id), "--propose-override", "trust me", "--json"
    )


def approve_override(env: dict[str, str], case_id: int) -> Result:
    return cli(env, "sar", "verify", str(case_id), "--approve-override", "--json")


def count(store: Store, model: type[User] | type[UserProposal]) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def console(settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as client:
        yield client


# ------------------------------------------------------------ add


@pytest.mark.clause("rights.access.verification")
def test_one_officer_cannot_complete_an_override_with_an_officer_they_add(
    store: Store, settings: Settings, officers: tuple[StaffUser, StaffUser]
) -> None:
    attacker, _honest = officers
    case_id = high_risk_case(store, settings)
    env = staff_env(settings, attacker)
    assert propose_override(env, case_id).exit_code == 0
    added = cli(
        env, "users", "add", "--email", SOCK, "--role", "privacy_officer", "--json"
    )
    assert added.exit_code == 0, added.output
    payload = json.loads(added.stdout)
    # A proposal, not an officer: no password, nobody to sign in as.
    assert "password" not in payload and payload["setup_half"].startswith("setup_")
    assert payload["proposal"]["state"] == "pending"
    with store.session() as session:
        assert session.scalar(select(User.id).where(User.email == SOCK)) is None
    as_sock = approve_override(as_user(settings, SOCK, payload["setup_half"]), case_id)
    assert isinstance(as_sock.exception, AuthenticationFailed)
    # The attacker cannot approve their own proposal either.
    own = cli(env, "users", "approve", str(payload["proposal"]["id"]), "--json")
    assert isinstance(own.exception, NotIndependent)
    assert own.exception.reason == "same_person"
    assert show_case(store, case_id).state == "verifying"
    assert count(store, User) == 2


def test_a_proposed_officer_is_never_given_a_password_the_proposer_chose(
    store: Store, settings: Settings, officers: tuple[StaffUser, StaffUser]
) -> None:
    attacker, _honest = officers
    chosen = cli(
        staff_env(settings, attacker),
        *("users", "add", "--email", SOCK, "--role", "privacy_officer"),
        "--password-stdin",
        stdin="attacker-knows-this-one\n",
    )
    assert isinstance(chosen.exception, InvalidInput)
    assert "set-password" in chosen.exception.message
    assert count(store, UserProposal) == 0 and count(store, User) == 2


def test_a_staff_member_never_makes_an_officer_through_the_library(
    store: Store, officers: tuple[StaffUser, StaffUser]
) -> None:
    attacker, _honest = officers
    with pytest.raises(SecondOfficerNeeded, match="second"):
        add_user(
            store,
            email=SOCK,
            role="privacy_officer",
            password=STAFF_PASSWORD,
            actor=attacker.actor,
        )
    # ... nor as the root of trust, once the first two exist.
    with pytest.raises(SecondOfficerNeeded, match="had 2 privacy officers"):
        bootstrap_officer(store, email=SOCK, password=STAFF_PASSWORD)
    assert count(store, User) == 2


@pytest.mark.parametrize("how", ["disable", "demote"])
def test_leaving_one_officer_does_not_reopen_the_bootstrap(
    store: Store,
    settings: Settings,
    officers: tuple[StaffUser, StaffUser],
    how: str,
) -> None:
    attacker, honest = officers
    env = staff_env(settings, attacker)
    if how == "disable":
        done = cli(env, "users", "disable", "--email", honest.email)
    else:
        done = cli(env, "users", "role", "--email", honest.email, "--role", "auditor")
    assert done.exit_code == 0, done.output
    anonymous = cli(
        store_env(settings),
        *("users", "add", "--email", SOCK, "--role", "privacy_officer"),
    )
    assert isinstance(anonymous.exception, AuthenticationFailed)
    signed_in = cli(
        env, "users", "add", "--email", SOCK, "--role", "privacy_officer", "--json"
    )
    assert signed_in.exit_code == 0, signed_in.output
    assert json.loads(signed_in.stdout)["proposal"]["state"] == "pending"
    # Nobody is left to approve it: the attacker stays one officer.
    with store.session() as session:
        assert session.scalar(select(User.id).where(User.email == SOCK)) is None


def test_an_officer_cannot_approve_their_own_proposal_in_the_console(
    store: Store,
    console: TestClient,
    officers: tuple[StaffUser, StaffUser],
) -> None:
    attacker, _honest = officers
    csrf = sign_in(console, attacker.email, STAFF_PASSWORD)
    page = console.post(
        "/console/users",
        data={"csrf": csrf, "email": SOCK, "role": "privacy_officer"},
    )
    assert page.status_code == 200
    shown = dict(SHOWN.findall(page.text))
    assert "new-password" not in shown and shown["setup-half"].startswith("setup_")
    with store.session() as session:
        (proposal_id,) = session.scalars(select(UserProposal.id))
    # No button for one's own proposal, and a forged post is refused.
    assert f"/console/users/proposals/{proposal_id}/approve" not in page.text
    forced = console.post(
        f"/console/users/proposals/{proposal_id}/approve", data={"csrf": csrf}
    )
    assert forced.status_code == 403 and "proposer cannot approve" in forced.text
    assert count(store, User) == 2


def test_half_a_setup_code_signs_nobody_in(
    store: Store, settings: Settings, officers: tuple[StaffUser, StaffUser]
) -> None:
    attacker, honest = officers
    proposed = propose_officer(store, email=SOCK, actor=attacker.actor)
    approved = approve_proposal(store, proposed.proposal.id, actor=honest.actor)
    first, second = proposed.setup_half, approved.setup_half
    assert first and second and first != second
    password = "the new officer chose this"

    def set_password(halves: str) -> Result:
        return cli(
            store_env(settings),
            *("users", "set-password", "--email", SOCK),
            stdin=f"{halves}\n{password}\n",
        )

    # The proposer alone, the approver alone, or swapped halves: refused alike.
    for halves in (f"{first}\n{first}", f"{second}\n{second}", f"{second}\n{first}"):
        refused = set_password(halves)
        assert isinstance(refused.exception, AuthenticationFailed)
        assert refused.exception.message == "the setup code is wrong, used or expired"
    done = set_password(f"{first}\n{second}")
    assert done.exit_code == 0, done.output
    # Once only.
    assert isinstance(
        set_password(f"{first}\n{second}").exception, AuthenticationFailed
    )
    signed = cli(as_user(settings, SOCK, password), "users", "token", "--email", SOCK)
    assert signed.exit_code == 0, signed.output


@pytest.mark.clause("rights.access.verification")
def test_an_officer_the_attacker_proposed_never_approves_for_them(
    store: Store,
    settings: Settings,
    officers: tuple[StaffUser, StaffUser],
    clock: Clock,
) -> None:
    # The honest officer is fooled into approving; the attacker gets both halves.
    attacker, honest = officers
    sock = approved_officer(store, attacker, honest, email=SOCK)
    case_id = high_risk_case(store, settings)
    assert propose_override(staff_env(settings, attacker), case_id).exit_code == 0
    early = approve_override(staff_env(settings, sock), case_id)
    assert isinstance(early.exception, NotIndependent)
    assert early.exception.reason == "waiting"
    clock.advance(PAST_THE_WAIT)
    later = approve_override(staff_env(settings, sock), case_id)
    assert isinstance(later.exception, NotIndependent)
    assert later.exception.reason == "administered"
    assert show_case(store, case_id).state == "verifying"
    # A genuinely second officer still can.
    assert approve_override(staff_env(settings, honest), case_id).exit_code == 0
    assert show_case(store, case_id).state == "verified"


# ------------------------------------------------------------ role change


@pytest.mark.clause("rights.access.verification")
def test_raising_a_user_the_attacker_made_needs_a_second_officer_not_theirs(
    store: Store,
    settings: Settings,
    officers: tuple[StaffUser, StaffUser],
    clock: Clock,
) -> None:
    attacker, honest = officers
    env = staff_env(settings, attacker)
    made = cli(env, "users", "add", "--email", SOCK, "--role", "auditor", "--json")
    secret = json.loads(made.stdout)["password"]
    raised = cli(
        env, "users", "role", "--email", SOCK, "--role", "privacy_officer", "--json"
    )
    assert raised.exit_code == 0, raised.output
    proposal_id = json.loads(raised.stdout)["proposal"]["id"]
    with store.session() as session:
        assert session.scalar(select(User.role).where(User.email == SOCK)) == "auditor"
    own = cli(env, "users", "approve", str(proposal_id))
    assert isinstance(own.exception, NotIndependent)
    approved = cli(staff_env(settings, honest), "users", "approve", str(proposal_id))
    assert approved.exit_code == 0, approved.output
    clock.advance(PAST_THE_WAIT)
    case_id = high_risk_case(store, settings)
    assert propose_override(env, case_id).exit_code == 0
    as_sock = approve_override(as_user(settings, SOCK, secret), case_id)
    assert isinstance(as_sock.exception, NotIndependent)
    assert as_sock.exception.reason == "administered"
    assert show_case(store, case_id).state == "verifying"


def test_raising_a_role_in_the_console_is_only_a_proposal(
    store: Store,
    console: TestClient,
    officers: tuple[StaffUser, StaffUser],
) -> None:
    attacker, _honest = officers
    auditor = add_staff(store, "auditor")
    csrf = sign_in(console, attacker.email, STAFF_PASSWORD)
    page = console.post(
        f"/console/users/{auditor.id}/role",
        data={"csrf": csrf, "role": "privacy_officer"},
    )
    assert page.status_code == 200 and "waits for a second" in page.text
    with store.session() as session:
        role = session.scalar(select(User.role).where(User.id == auditor.id))
    assert role == "auditor"


# ------------------------------------------------------------ password reset


@pytest.mark.clause("rights.access.verification")
def test_an_officer_whose_password_the_attacker_reset_is_no_second_person(
    store: Store,
    settings: Settings,
    console: TestClient,
    officers: tuple[StaffUser, StaffUser],
) -> None:
    attacker, honest = officers
    csrf = sign_in(console, attacker.email, STAFF_PASSWORD)
    page = console.post(
        f"/console/users/{honest.id}/reset-password", data={"csrf": csrf}
    )
    assert page.status_code == 200
    password = dict(SHOWN.findall(page.text))["new-password"]
    case_id = high_risk_case(store, settings)
    assert propose_override(staff_env(settings, attacker), case_id).exit_code == 0
    as_honest = approve_override(as_user(settings, honest.email, password), case_id)
    assert isinstance(as_honest.exception, NotIndependent)
    assert as_honest.exception.reason == "administered"
    assert show_case(store, case_id).state == "verifying"


@pytest.mark.clause("rights.access.verification")
def test_two_officers_whose_passwords_one_reset_are_not_two_people(
    store: Store,
    settings: Settings,
    console: TestClient,
    officers: tuple[StaffUser, StaffUser],
) -> None:
    attacker, honest = officers
    third = add_staff(store)
    csrf = sign_in(console, attacker.email, STAFF_PASSWORD)
    known = {}
    for victim in (honest, third):
        page = console.post(
            f"/console/users/{victim.id}/reset-password", data={"csrf": csrf}
        )
        known[victim.email] = dict(SHOWN.findall(page.text))["new-password"]
    case_id = high_risk_case(store, settings)
    as_honest = as_user(settings, honest.email, known[honest.email])
    assert propose_override(as_honest, case_id).exit_code == 0
    as_third = approve_override(
        as_user(settings, third.email, known[third.email]), case_id
    )
    assert isinstance(as_third.exception, NotIndependent)
    assert f"administered by user {attacker.id}" in as_third.exception.message
    assert show_case(store, case_id).state == "verifying"


# ------------------------------------------------------------ re-enabling


def test_a_disabled_officer_is_brought_back_by_no_single_officer(
    store: Store,
    settings: Settings,
    console: TestClient,
    officers: tuple[StaffUser, StaffUser],
) -> None:
    attacker, honest = officers
    gone = add_staff(store)
    done = cli(staff_env(settings, honest), "users", "disable", "--email", gone.email)
    assert done.exit_code == 0, done.output
    env = staff_env(settings, attacker)
    again = cli(env, "users", "add", "--email", gone.email, "--role", "privacy_officer")
    assert isinstance(again.exception, Conflict)
    role = cli(env, "users", "role", "--email", gone.email, "--role", "auditor")
    assert isinstance(role.exception, Conflict) and "disabled" in role.exception.message
    raised = cli(
        env, "users", "role", "--email", gone.email, "--role", "privacy_officer"
    )
    assert isinstance(raised.exception, Conflict)
    token = cli(env, "users", "token", "--email", gone.email)
    assert isinstance(token.exception, InvalidInput)
    setup = cli(
        store_env(settings),
        *("users", "set-password", "--email", gone.email),
        stdin="setup_a\nsetup_b\na brand new password\n",
    )
    assert isinstance(setup.exception, AuthenticationFailed)
    csrf = sign_in(console, attacker.email, STAFF_PASSWORD)
    reset = console.post(
        f"/console/users/{gone.id}/reset-password", data={"csrf": csrf}
    )
    assert reset.status_code == 409
    with store.session() as session:
        disabled = session.scalar(select(User.disabled_at).where(User.id == gone.id))
    assert disabled is not None and count(store, UserProposal) == 0


# ------------------------------------------------------------ API tokens


def test_an_officer_cannot_get_a_token_for_another_staff_member(
    store: Store, settings: Settings, officers: tuple[StaffUser, StaffUser]
) -> None:
    attacker, honest = officers
    refused = cli(
        staff_env(settings, attacker), "users", "token", "--email", honest.email
    )
    assert isinstance(refused.exception, Forbidden)
    assert refused.stdout == ""
    with pytest.raises(Forbidden, match="staff issue their own"):
        issue_api_token(store, email=honest.email, actor=attacker.actor)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 0
    # A customer's API token is still the officer's to issue.
    customer = add_person(store)
    add_user(
        store,
        email="admin@acme.test",
        role="customer_admin",
        person_id=customer.person_id,
    )
    issued = cli(
        staff_env(settings, attacker), "users", "token", "--email", "admin@acme.test"
    )
    assert issued.exit_code == 0 and issued.stdout.startswith("tut_")
