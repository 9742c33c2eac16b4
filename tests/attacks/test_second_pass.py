"""Second attack pass: the fixes of the first, and the newest actions.

Clause: rights.access.verification. Each test is an attack that works
against the product today, driven through the product's own paths (the
public form, the console, the portal, the CLI, mail intake); each asserts
the safe behaviour, so it fails until the hole is closed. Data "in the
past" is made by moving the product's clock (never by editing timestamps).
"""

from __future__ import annotations

import contextlib
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.attacks.conftest import Sink
from tests.attacks.world import (
    DAY,
    long_ago,
    mailed_code,
    ref_of,
    request,
    verification_of,
)
from tests.factories import add_staff, bootstrap_officers, choose_own_password
from tests.web.live import app_client
from tests.web.portal_world import sign_in
from tutela.auth import password_known_to_others
from tutela.auth.signin import add_user
from tutela.config import Settings
from tutela.demo.users import build_demo_users
from tutela.errors import TutelaError
from tutela.mail import deliver
from tutela.rights import verification
from tutela.rights.erasure import erase_case
from tutela.rights.intake import intake_message
from tutela.rights.requests import case_id_for_ref
from tutela.store import CLOCK, Clock
from tutela.store.db import Store
from tutela.store.models import Person, User

pytestmark = pytest.mark.clause("rights.access.verification")

VICTIM_LOGIN = "jennifer.portal@kelly-plumbing.example"
VICTIM_PASSWORD = "her-own-portal-password"
OFFICER_PASSWORD = "officer-password-for-tests"
ROGUE_CHOICE = "a-password-the-officer-chose"
REF = re.compile(r"SAR-[0-9A-F]{8}")
SHOWN = re.compile(r'id="new-password">([^<]+)<')


def _victim_with_portal_login(store: Store) -> tuple[int, int]:
    """A customer on file for 60 days with a portal login staff made; (person, user)."""
    victim = long_ago(store)
    officer = add_staff(store)
    with CLOCK.moved(-60 * DAY):
        user = add_user(
            store,
            email=VICTIM_LOGIN,
            role="customer_admin",
            person_id=victim.person_id,
            password=VICTIM_PASSWORD,
            actor=officer.actor,
        )
    return victim.person_id, user.id


def _erasure_on_the_form(web: TestClient, email: str) -> str:
    """A stranger (or the officer) files an erasure for `email`; its reference."""
    form = web.post(
        "/rights/access",
        data={"name": "Jennifer", "email": email, "requested": "erasure"},
    )
    assert form.status_code == 202
    found = REF.search(form.text)
    assert found is not None
    return found.group(0)


def _reset_in_console(web: TestClient, officer_email: str, user_id: int) -> str:
    """The officer resets user `user_id`'s password in the console; the password shown."""
    csrf = sign_in(web, officer_email, OFFICER_PASSWORD)
    reset = web.post(f"/console/users/{user_id}/reset-password", data={"csrf": csrf})
    shown = SHOWN.search(reset.text)
    assert shown is not None, "the console showed no password"
    web.cookies.clear()
    return shown.group(1)


def _portal_change(web: TestClient, login: str, current: str, new: str) -> int:
    """Sign in to the portal and choose a "new" password there; the POST's status."""
    sign_in(web, login, current)
    page = web.get("/portal/password")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    changed = web.post(
        "/portal/password",
        data={"csrf": csrf.group(1), "current": current, "new": new, "repeat": new},
        follow_redirects=False,
    )
    web.cookies.clear()
    return changed.status_code


def _portal_verify(web: TestClient, login: str, password: str, ref: str) -> None:
    csrf = sign_in(web, login, password)
    web.post(
        "/portal/access-requests/verify",
        data={"csrf": csrf, "case_ref": ref, "password": password},
    )
    web.cookies.clear()


def _level_of_ref(store: Store, ref: str) -> tuple[str, str | None]:
    with store.session() as s:
        case_id = case_id_for_ref(s, ref)
    assert case_id is not None
    state, level, _ = verification_of(store, case_id)
    return state, level


# ------------------------------------------------------------ 1. /portal/password


def test_a_staff_set_password_changed_to_itself_is_still_known_to_staff(
    store: Store, settings: Settings
) -> None:
    """The portal's password page accepts the staff-set password as the "new" one.

    Steps: an officer files an erasure for the victim's sign-in address on
    the public form, resets her portal password in the console (shown to
    them), signs in as her, and on /portal/password "changes" it to the
    same password. It is now recorded as chosen by her; the officer signs
    in again and verifies the erasure at `high`. Nothing changed for the
    victim (her handed-over password still works), so nobody notices.
    Harm: one officer verifies any portal user's erasure alone.
    """
    _person, user_id = _victim_with_portal_login(store)
    officer = add_staff(store, password=OFFICER_PASSWORD)
    with app_client(settings) as web:
        ref = _erasure_on_the_form(web, VICTIM_LOGIN)
        shown = _reset_in_console(web, officer.email, user_id)
        _portal_change(web, VICTIM_LOGIN, shown, shown)
        _portal_verify(web, VICTIM_LOGIN, shown, ref)
    assert _level_of_ref(store, ref) != ("verified", "high"), (
        "the password the officer was shown verified the erasure once it was "
        "'changed' to itself"
    )


def test_an_officer_who_reset_a_password_cannot_turn_it_into_the_customers_own(
    store: Store, settings: Settings
) -> None:
    """The change from a staff-set password needs only that password.

    Steps: the officer resets the victim's portal password (the console
    shows it), signs in as her, changes it on /portal/password to one of
    their own choosing (the current one is all it asks for), signs in with
    it and verifies the erasure filed for her on the public form. The
    change is recorded as hers, so `signed_in` counts at `high`. Harm: the
    first pass's fix (a staff-set password proves nothing) is one form
    away from useless: one officer verifies and erases anyone with a
    portal login.
    """
    _person, user_id = _victim_with_portal_login(store)
    officer = add_staff(store, password=OFFICER_PASSWORD)
    with app_client(settings) as web:
        ref = _erasure_on_the_form(web, VICTIM_LOGIN)
        shown = _reset_in_console(web, officer.email, user_id)
        assert _portal_change(web, VICTIM_LOGIN, shown, ROGUE_CHOICE) == 303
        _portal_verify(web, VICTIM_LOGIN, ROGUE_CHOICE, ref)
    assert _level_of_ref(store, ref) != ("verified", "high"), (
        "a password the officer chose (from the one they reset) verified the erasure"
    )


# ------------------------------------------------------------ 2. call-back codes


def test_an_officer_cannot_enter_their_call_back_code_as_an_officer_whose_password_they_reset(
    store: Store, settings: Settings
) -> None:
    """ "Another staff member" is only another account: any one the officer holds.

    Steps: officer A files an erasure for the victim on the public form,
    asks the console for a call-back code to her assigned line (shown to
    A), resets officer B's password in the console (shown to A), signs in
    as B and enters the code. `submit_code` compares only the actor ids;
    the independence rules the override keeps (`administered`: A set B's
    password) are not applied. The case is verified at `high`, no call,
    one person. Harm: one officer erases anyone with an assigned line.
    """
    victim = long_ago(store)
    assert victim.number is not None
    _first, second = bootstrap_officers(store)
    with CLOCK.moved(-30 * DAY):
        rogue = add_staff(store, password=OFFICER_PASSWORD)
    case_id = request(store, settings, victim.email, "erasure")
    with app_client(settings) as web:
        csrf = sign_in(web, rogue.email, OFFICER_PASSWORD)
        sent = web.post(
            f"/console/sar/{case_id}/verify/send-code",
            data={"csrf": csrf, "phone": victim.number},
        )
        code = re.search(r'id="call-back-code">Code to read out: (\d+)<', sent.text)
        assert code is not None, "the console showed no call-back code"
        reset = web.post(
            f"/console/users/{second.id}/reset-password", data={"csrf": csrf}
        )
        shown = SHOWN.search(reset.text)
        assert shown is not None
        web.cookies.clear()
        as_b = sign_in(web, second.email, shown.group(1))
        web.post(
            f"/console/sar/{case_id}/verify/code",
            data={"csrf": as_b, "code": code.group(1)},
        )
    state, level, _ = verification_of(store, case_id)
    assert (state, level) != ("verified", "high"), (
        "one officer read out and entered a call-back code, the second time as "
        "an officer whose password they had just reset"
    )


# ------------------------------------------------------------ 5. a reply holds the erasure


def test_a_reply_quoting_the_reference_without_threading_headers_holds_the_erasure(
    store: Store, mail_settings: Settings, sink: Sink, clock: Clock
) -> None:
    """The notice says "reply ... quoting {ref}"; only the In-Reply-To header counts.

    Steps: an erasure for the victim is verified and scheduled; the notice
    reaches her. She answers as it says, quoting the reference, from a
    client (webmail, a phone, a forward from another mailbox) that sets no
    In-Reply-To/References to the notice. Intake joins a message to a case
    only by those headers, not by the reference: her answer lands in the
    legal inbox as a `probable_access` message with no case, nothing holds
    the erasure, and after the cooling-off `sar erase` runs. Harm: the person said stop, in
    writing, quoting the reference, and was erased.
    """
    victim = long_ago(store)
    case_id = request(store, mail_settings, victim.email, "erasure")
    code = mailed_code(store, mail_settings, sink, victim.email)
    officer = add_staff(store)
    verification.submit_code(
        store, case_id, code, staff=officer.actor, settings=mail_settings
    )
    erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    deliver(store, mail_settings)
    ref = ref_of(store, case_id)
    domain = victim.email.rpartition("@")[2]
    answer = (
        f"Authentication-Results: mx.jive.example; dkim=pass header.d={domain}; "
        f"spf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}\r\n"
        f"From: Jennifer Kelly <{victim.email}>\r\n"
        "To: legal@jive.com\r\n"
        f"Subject: Re: Request for Deletion of your personal information [{ref}]\r\n"
        "Message-ID: <no-thread-1@kelly-plumbing.example>\r\n"
        "\r\n"
        f"I did not ask for this. Please stop {ref}: do not delete anything.\r\n"
    ).encode()
    intake_message(store, answer, settings=mail_settings)

    clock.advance(8 * DAY)
    with contextlib.suppress(TutelaError):
        erase_case(store, case_id, actor=officer.actor, settings=mail_settings)
    with store.session() as s:
        kept = s.get(Person, victim.person_id) is not None
    assert kept, f"she answered quoting {ref}, as the notice said, and was erased"


def test_a_password_the_demo_printed_is_not_the_customers_own(
    store: Store, settings: Settings
) -> None:
    """Passwords set by a `system:` actor are never recorded as known to anyone.

    Steps: `tutela demo` (run again on a data directory whose customer
    user had chosen her own password) draws new passwords for the demo
    customers and prints them on stderr; `set_password` records a
    `password_set` event only for a `staff:` actor, so the last event is
    still her own choice. Whoever read the terminal signs in with the
    printed password and verifies her requests at `high`. The same holds
    for a customer the demo created (its `created` event has no staff
    member). Harm: small on a demo, but the rule "a password somebody
    else saw proves nothing" has a hole for every `system:` actor.
    """
    long_ago(store)
    first = build_demo_users(store, customers=1)
    customer = next(x for x in first if x.role == "customer_admin")
    with store.session() as s:
        row = s.execute(
            select(User.id, User.person_id, User.account_id).where(
                User.email == customer.email
            )
        ).one()
    user_id, person_id, account_id = row
    assert person_id is not None and account_id is not None
    choose_own_password(store, settings, user_id, "her-own-choice-at-last")
    assert not password_known_to_others(store, user_id)
    again = build_demo_users(store, customers=1)
    printed = next(x for x in again if x.email == customer.email)
    assert printed.password != "her-own-choice-at-last"
    assert password_known_to_others(store, user_id), (
        "the password the demo printed counts as the customer's own"
    )
