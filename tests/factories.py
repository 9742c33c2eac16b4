"""Data builders for tests: staff users with obviously fake addresses.

Every CLI command that acts as staff signs a real, active user in; these
builders make such users and the environment a `CliRunner` needs to act as
one (password or staff API token), on either database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from tutela.auth import (
    CHOOSE_PATH,
    approve_proposal,
    bootstrap_officer,
    choose_password,
    propose_officer,
    set_password_with_setup,
)
from tutela.auth.signin import add_user, issue_api_token
from tutela.config import Settings
from tutela.rights import mail_choose_link
from tutela.rights.verification import Outcome, submit_code
from tutela.store.db import Store, open_store
from tutela.store.models import OutboxMessage

STAFF_PASSWORD = "staff-password-for-tests-only"


@dataclass(frozen=True)
class StaffUser:
    """A staff user made for a test: id, sign-in name, role and password."""

    id: int
    email: str
    role: str
    password: str = STAFF_PASSWORD

    @property
    def actor(self) -> str:
        """The surrogate actor id this user acts as ('staff:<user id>')."""
        return f"staff:{self.id}"


def add_staff(
    store: Store,
    role: str = "privacy_officer",
    *,
    email: str | None = None,
    password: str = STAFF_PASSWORD,
) -> StaffUser:
    """A new active staff user (default: a privacy officer)."""
    address = email or f"{role.replace('_', '-')}-{_next()}@staff.test"
    view = add_user(store, email=address, role=role, password=password)
    return StaffUser(view.id, view.email, view.role, password)


def bootstrap_officers(store: Store) -> tuple[StaffUser, StaffUser]:
    """The first two privacy officers, made by the root of trust as `tutela users add` does."""
    made = []
    for _ in range(2):
        email = f"officer-{_next()}@staff.test"
        user_id = bootstrap_officer(store, email=email, password=STAFF_PASSWORD)
        made.append(StaffUser(user_id, email, "privacy_officer"))
    return made[0], made[1]


def approved_officer(
    store: Store, proposer: StaffUser, approver: StaffUser, *, email: str | None = None
) -> StaffUser:
    """A privacy officer the way a running deployment gets one.

    `proposer` proposes, `approver` approves, and the new officer sets their
    password with the two halves of the setup code. They approve nothing in
    their first days (move the `clock` past `TUTELA_OFFICER_APPROVAL_DAYS`).
    """
    address = email or f"officer-{_next()}@staff.test"
    proposed = propose_officer(store, email=address, actor=proposer.actor)
    done = approve_proposal(store, proposed.proposal.id, actor=approver.actor)
    assert proposed.setup_half is not None and done.setup_half is not None
    set_password_with_setup(
        store,
        email=address,
        halves=(proposed.setup_half, done.setup_half),
        password=STAFF_PASSWORD,
    )
    return StaffUser(done.user_id, address, "privacy_officer")


_counter = [0]


def _next() -> int:
    _counter[0] += 1
    return _counter[0]


def store_env(settings: Settings) -> dict[str, str]:
    """Environment that points the CLI at the test's store (either database)."""
    env = {"TUTELA_DATA": str(settings.data)}
    if settings.database_url:
        env["TUTELA_DATABASE_URL"] = settings.database_url
    return env


def signed_in(staff: StaffUser) -> dict[str, str]:
    """Environment variables that sign the CLI in as `staff` by password."""
    return {"TUTELA_STAFF": staff.email, "TUTELA_STAFF_PASSWORD": staff.password}


def staff_env(settings: Settings, staff: StaffUser) -> dict[str, str]:
    """Environment that points the CLI at the store and signs in as `staff`."""
    return store_env(settings) | signed_in(staff)


def staff_in(data: Path, role: str = "privacy_officer") -> StaffUser:
    """A staff user in the (SQLite) store of data directory `data`, made if new."""
    with open_store(Settings(data=data)) as store:
        return add_staff(store, role)


def token_env(store: Store, settings: Settings, staff: StaffUser) -> dict[str, str]:
    """Environment that signs the CLI in as `staff` with a new staff API token."""
    token = issue_api_token(store, email=staff.email)
    return store_env(settings) | {"TUTELA_STAFF_TOKEN": token}


def officer_of(store: Store) -> StaffUser:
    """The privacy officer a test's store has for entering codes (made once per store)."""
    found: StaffUser | None = getattr(store, "_test_officer", None)
    if found is None:
        found = add_staff(store)
        store._test_officer = found  # type: ignore[attr-defined]
    return found


def enter_code(
    store: Store,
    settings: Settings,
    case_id: int,
    code: str,
    *,
    now: dt.datetime | None = None,
) -> Outcome:
    """A code the requester gave back, entered by a privacy officer (as staff do)."""
    return submit_code(
        store,
        case_id,
        code,
        staff=officer_of(store).actor,
        settings=settings,
        now=now,
    )


def choose_own_password(
    store: Store, settings: Settings, user_id: int, password: str
) -> None:
    """The user chooses `password` through the link mailed to their sign-in address.

    The real path: the link is read from the outbox, as from the mailbox.
    """
    mail_choose_link(store, user_id, settings=settings, actor=f"user:{user_id}")
    with store.session() as session:
        body = session.scalar(
            select(OutboxMessage.body)
            .where(OutboxMessage.kind == "password_choose_link")
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    found = re.search(re.escape(CHOOSE_PATH) + r"/([A-Za-z0-9_-]+)", body or "")
    assert found is not None, "no link in the outbox"
    choose_password(store, found.group(1), password)
