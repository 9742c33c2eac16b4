"""Attack: one rogue privacy officer verifies a request alone, at the level that erases.

Clause: rights.access.verification. A two-officer override exists so that
no single officer can say "this is her" and have a person's data erased or
released. Each test below is a way one officer gets the same result with
nobody else involved, tried through the product's own paths (the public
form, the console, the portal, the CLI). Each asserts the safe behaviour
and fails today.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.attacks.world import DAY, long_ago, request, verification_of
from tests.factories import add_staff, store_env
from tests.web.live import app_client
from tests.web.portal_world import csrf_of, sign_in
from tutela.auth.signin import add_user
from tutela.cli.app import app
from tutela.config import Settings
from tutela.errors import TutelaError
from tutela.rights import verification
from tutela.rights.erasure import erase_case
from tutela.rights.proof import ProofTooWeak
from tutela.rights.requests import case_id_for_ref
from tutela.store import CLOCK
from tutela.store.db import Store
from tutela.store.models import User

pytestmark = pytest.mark.clause("rights.access.verification")

RUNNER = CliRunner()
NO_STAFF: dict[str, str | None] = {
    "TUTELA_STAFF": None,
    "TUTELA_STAFF_PASSWORD": None,
    "TUTELA_STAFF_TOKEN": None,
}
VICTIM_LOGIN = "jennifer.portal@kelly-plumbing.example"
VICTIM_PASSWORD = "her-own-portal-password"


def test_one_officer_cannot_verify_an_erasure_by_entering_the_call_back_code_they_were_shown(
    store: Store, settings: Settings
) -> None:
    """The call-back code is shown to the officer, who can enter it without calling.

    Steps: the officer types the victim's address into the public form
    (erasure), asks for a call-back code to the victim's assigned line,
    and enters the code the console (or `sar verify --send-code --phone
    --json`) showed them. No call, no second officer: the case is verified
    at `high` and `sar erase` schedules the deletion. Harm: one officer
    erases anyone with an assigned line once the cooling-off passes
    unnoticed (a holiday is enough).
    """
    victim = long_ago(store)
    assert victim.number is not None
    case_id = request(store, settings, victim.email, "erasure")
    officer = add_staff(store)
    _, code = verification.send_phone_code(
        store, case_id, victim.number, staff=officer.actor, settings=settings
    )
    with contextlib.suppress(TutelaError):
        verification.submit_code(
            store, case_id, code, staff=officer.actor, settings=settings
        )
    _state, level, _people = verification_of(store, case_id)
    assert level != "high", (
        "the officer who was shown the call-back code verified the erasure alone"
    )
    with pytest.raises((ProofTooWeak, TutelaError)):
        erase_case(store, case_id, actor=officer.actor, settings=settings)


def test_one_officer_cannot_verify_a_customer_by_resetting_their_portal_password(
    store: Store, settings: Settings
) -> None:
    """A password an officer reset (and was shown) is no proof of the customer.

    Steps: the officer files an erasure for the victim's sign-in address on
    the public form, resets the victim's portal password in the console
    (it is shown to them), signs in to the portal as the victim and
    "verifies" the request with that password. The case is verified by
    `signed_in` at `high`: one officer, no call, no second officer.
    (Adding a second portal user for the victim's person, with an address
    and password of the officer's choosing, does the same.)
    """
    victim = long_ago(store)
    with CLOCK.moved(-60 * DAY):
        user = add_user(
            store,
            email=VICTIM_LOGIN,
            role="customer_admin",
            person_id=victim.person_id,
            password=VICTIM_PASSWORD,
        )
    officer = add_staff(store, password="officer-password-for-tests")
    with app_client(settings) as web:
        form = web.post(
            "/rights/access",
            data={"name": "Jennifer", "email": VICTIM_LOGIN, "requested": "erasure"},
        )
        assert form.status_code == 202
        ref = re.search(r"SAR-[0-9A-F]{8}", form.text)
        assert ref is not None
        csrf = sign_in(web, officer.email, "officer-password-for-tests")
        reset = web.post(
            f"/console/users/{user.id}/reset-password", data={"csrf": csrf}
        )
        shown = re.search(r'id="new-password">([^<]+)<', reset.text)
        assert shown is not None, "the console showed no password"
        web.cookies.clear()
        portal_csrf = sign_in(web, VICTIM_LOGIN, shown.group(1))
        web.post(
            "/portal/access-requests/verify",
            data={
                "csrf": portal_csrf,
                "case_ref": ref.group(0),
                "password": shown.group(1),
            },
        )
    with store.session() as s:
        case_id = case_id_for_ref(s, ref.group(0))
    assert case_id is not None
    state, level, _ = verification_of(store, case_id)
    assert (state, level) != ("verified", "high"), (
        "one officer verified the victim's erasure with a password they reset"
    )


def test_the_first_officer_cannot_be_the_second_officer_too(
    store: Store, settings: Settings
) -> None:
    """The bootstrap lets the first officer choose the second officer's password.

    Steps (the CLI a fresh deployment is set up with): the root of trust
    makes the first officer; that officer, signed in, runs `users add
    --role privacy_officer --password-stdin` with a password they choose.
    The record names nobody as having made the second officer, so the two
    count as independent for ever. The first officer then proposes an
    override of a stranger's erasure request for the victim and approves
    it as the second officer. (The demo deployment has one officer, so
    this is the only way its second officer can ever come to be.)
    """
    env = store_env(settings)
    first = ("first.officer@staff.test", "first-officer-password")
    second = ("second.officer@staff.test", "chosen-by-the-first-officer")
    made = RUNNER.invoke(
        app,
        [
            "users",
            "add",
            "--email",
            first[0],
            "--role",
            "privacy_officer",
            "--password-stdin",
        ],
        env={**NO_STAFF, **env},
        input=first[1] + "\n",
    )
    assert made.exit_code == 0, made.output
    made = RUNNER.invoke(
        app,
        [
            "users",
            "add",
            "--email",
            second[0],
            "--role",
            "privacy_officer",
            "--password-stdin",
        ],
        env={
            **NO_STAFF,
            **env,
            "TUTELA_STAFF": first[0],
            "TUTELA_STAFF_PASSWORD": first[1],
        },
        input=second[1] + "\n",
    )
    # Refused: only the root of trust, on the host and signed in as nobody,
    # makes the second officer; the first officer cannot.
    assert made.exit_code != 0, made.output
    assert "first officer cannot make the second" in str(made.exception)
    with store.session() as s:
        officers = s.scalars(
            select(User.email).where(User.role == "privacy_officer")
        ).all()
    assert officers == [first[0]]


def test_the_second_officer_is_shown_whom_and_why_they_approve(
    store: Store, settings: Settings
) -> None:
    """An override names a person and gives a reason; the approver sees neither.

    Steps: an address two people hold (a departed colleague's) asks for an
    erasure; the officers must decide whose request it is. Officer A
    proposes an override naming the person A wants erased, with a reason.
    Officer B opens the case in the console: the page lists the matched
    people and an "override_proposal" row, but not whom the proposal names
    nor why, and B's button approves whatever the latest proposal says.
    """
    shared = "office@kelly-plumbing.example"
    requester = long_ago(store, name="Jennifer Kelly", email=shared)
    victim = long_ago(
        store,
        name="Dana Former",
        email=shared,
        did="+12015550177",
        account_id=requester.account_id,
        postal_code="82408",
    )
    case_id = request(store, settings, shared, "erasure")
    a = add_staff(store, password="officer-a-password-tests")
    b = add_staff(store, password="officer-b-password-tests")
    reason = "Called Dana back on her own line and she confirmed"
    verification.propose_override(
        store, case_id, staff=a.actor, reason=reason, person_id=victim.person_id
    )
    with app_client(settings) as web:
        sign_in(web, b.email, "officer-b-password-tests")
        page = web.get(f"/console/sar/{case_id}").text
    start = page.find('id="evidence"')
    proposal = page[start : page.find("</table>", start)]
    assert reason in proposal, "the approver is not shown the proposal's reason"
    assert "Dana Former" in proposal, "the approver is not shown whom it names"


def test_an_override_changed_after_the_second_officer_looked_is_not_approved(
    store: Store, settings: Settings
) -> None:
    """The approve button carries nothing: a proposal swapped under it is approved.

    Steps: the address two people hold asks for an erasure. Officer A
    proposes an override naming the requester (Jennifer). Officer B opens
    the case page to review it. A proposes again, naming Dana. B presses
    "Approve" on the page B reviewed: Dana is now the verified subject at
    `high`, and `sar erase` deletes her.
    """
    shared = "office@kelly-plumbing.example"
    requester = long_ago(store, name="Jennifer Kelly", email=shared)
    victim = long_ago(
        store,
        name="Dana Former",
        email=shared,
        did="+12015550177",
        account_id=requester.account_id,
        postal_code="82408",
    )
    case_id = request(store, settings, shared, "erasure")
    a = add_staff(store, password="officer-a-password-tests")
    b = add_staff(store, password="officer-b-password-tests")
    verification.propose_override(
        store,
        case_id,
        staff=a.actor,
        reason="Jennifer confirmed on her line",
        person_id=requester.person_id,
    )
    with app_client(settings) as web:
        sign_in(web, b.email, "officer-b-password-tests")
        reviewed = web.get(f"/console/sar/{case_id}").text
        form = reviewed[reviewed.find("/verify/override/approve") :]
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form[:600]))
        fields["csrf"] = csrf_of(reviewed)
        verification.propose_override(
            store,
            case_id,
            staff=a.actor,
            reason="Jennifer confirmed on her line",
            person_id=victim.person_id,
        )
        web.post(f"/console/sar/{case_id}/verify/override/approve", data=fields)
    state, _level, people = verification_of(store, case_id)
    assert not (state == "verified" and victim.person_id in people), (
        "B approved a proposal B never saw: the victim is the verified subject"
    )
    assert state == "verifying"  # refused: the proposal B reviewed was superseded
