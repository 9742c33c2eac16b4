"""User administration from the console and the CLI, with the lock-out rules.

Clause: secure.measures (only a privacy officer administers users; every
change is audited under that officer; nobody can disable or demote the last
privacy officer who can sign in, nor themselves, which would leave the
deployment or the session without anyone to undo it; nobody makes a
privacy officer alone: `tutela.auth.proposals`). A reset password is
generated here, shown once to the officer who reset it, and stored only as
an argon2 hash; the user's sessions end at once (`auth.set_password`). An
officer who reset a user's password may hold it: the two are no longer
independent for the two-person rule (`tutela.auth.officers`).

Disabling (and demoting an officer) checks and acts in ONE transaction under
a lock (`_events.lock_officers`: SELECT ... FOR UPDATE over the officer rows
on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two officers disabling each
other at once leave one of them, never none.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tutela.access.roles import CUSTOMER_ROLES, Role
from tutela.audit import log as audit
from tutela.auth import _events
from tutela.auth.passwords import generate_password
from tutela.auth.proposals import ProposalView, propose_raise
from tutela.auth.signin import _disable, set_password
from tutela.auth.staff import STAFF_ROLES, StaffRefused
from tutela.errors import Conflict, InvalidInput, NotFound
from tutela.store import Store, normalize_email, utcnow
from tutela.store.models import User

ROOT = "system:cli"
LAST_OFFICER = "this is the last privacy officer who can sign in; add another first"

__all__ = [
    "RoleChange",
    "change_role",
    "disable_by_email",
    "disable_by_id",
    "disable_user",
    "officer_addresses",
    "reset_password",
    "user_id_of",
]


@dataclass(frozen=True)
class RoleChange:
    """A role set at once, or (to privacy officer) a proposal awaiting a second officer."""

    user_id: int
    role: str
    proposal: ProposalView | None = None


def _between_check_and_act() -> None:
    """Nothing. Tests widen this gap to prove the lock holds (tests/auth)."""


def _email_of(store: Store, user_id: int) -> tuple[str, str, bool]:
    with store.session() as session:
        row = session.execute(
            select(User.email, User.role, User.disabled_at).where(User.id == user_id)
        ).first()
    if row is None:
        raise NotFound(f"user {user_id} does not exist")
    return str(row[0]), str(row[1]), row[2] is not None


def disable_by_id(store: Store, user_id: int, *, actor: str) -> int:
    """Disable user `user_id`; `Conflict` for oneself or the last officer.

    The checks and the change are one transaction holding the officers'
    lock, so a concurrent disable (or demotion) sees this one's result.
    """
    moment = utcnow()
    admin = _events.staff_id(actor)
    with store.writing() as session:
        officers = _events.lock_officers(session)
        user = session.scalars(
            select(User).where(User.id == user_id).with_for_update()
        ).one_or_none()
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        if admin == user_id:
            raise Conflict("you cannot disable yourself; ask another privacy officer")
        if user.disabled_at is not None:
            raise Conflict(f"user {user_id} is already disabled")
        if user_id in officers and len(officers) < 2:
            raise Conflict(LAST_OFFICER)
        if admin is not None and admin not in officers:
            raise StaffRefused("to disable a user you need to be an active officer")
        _between_check_and_act()
        _disable(session, user, moment)
    audit.record(
        store, actor=actor, action="auth.user_disabled", details={"user_id": user_id}
    )
    return user_id


def user_id_of(store: Store, email: str) -> int:
    """The id of the user signing in as `email` (the CLI names users so)."""
    # The one rule for addresses (`normalize_email`), as every sign-in uses.
    address = normalize_email(email)
    with store.session() as session:
        user_id = session.scalar(select(User.id).where(User.email == address))
    if user_id is None:
        raise NotFound("no user signs in with this address")
    return int(user_id)


def disable_by_email(store: Store, email: str, *, actor: str) -> int:
    """`disable_by_id` for the user signing in as `email` (the CLI's way)."""
    return disable_by_id(store, user_id_of(store, email), actor=actor)


def disable_user(store: Store, *, email: str, actor: str = ROOT) -> int:
    """Disable the user signing in as `email`, with every check (`disable_by_id`).

    For code with no staff member behind it (the root of trust, `system:`
    actors): still never the last privacy officer who can sign in.
    """
    return disable_by_email(store, email, actor=actor)


def reset_password(store: Store, user_id: int, *, actor: str) -> str:
    """Give user `user_id` a new generated password (returned once) and end their sessions."""
    email, _role, disabled = _email_of(store, user_id)
    if disabled:
        raise Conflict(f"user {user_id} is disabled; a password would not help")
    password = generate_password()
    set_password(store, email=email, password=password, actor=actor)
    return password


def change_role(store: Store, user_id: int, role: str, *, actor: str) -> RoleChange:
    """Give staff user `user_id` another staff role.

    To privacy officer: a proposal a second, independent officer approves
    (`tutela.auth.proposals`), never at once. Between the other staff roles,
    and from privacy officer down, one officer decides; a demotion keeps the
    disable rules (not oneself, not the last officer), checked under the
    same lock.
    """
    try:
        kind = Role(role)
    except ValueError:
        kind = Role.system
    if kind not in STAFF_ROLES:
        names = ", ".join(sorted(r.value for r in STAFF_ROLES))
        raise InvalidInput(f"must be one of {names}", field="role")
    if kind is Role.privacy_officer:
        proposed = propose_raise(store, user_id=user_id, role=kind.value, actor=actor)
        return RoleChange(user_id, kind.value, proposed.proposal)
    admin = _events.staff_id(actor)
    moment = utcnow()
    with store.writing() as session:
        officers = _events.lock_officers(session)
        user = session.scalars(
            select(User).where(User.id == user_id).with_for_update()
        ).one_or_none()
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        if admin == user_id:
            raise Conflict("you cannot change your own role; ask another officer")
        if user.disabled_at is not None:
            raise Conflict(f"user {user_id} is disabled; a role would not help")
        if Role(user.role) in CUSTOMER_ROLES:
            raise InvalidInput("a customer user does not become staff", field="role")
        if user.role == kind.value:
            raise Conflict(f"user {user_id} is already {kind.value}")
        if user_id in officers and len(officers) < 2:
            raise Conflict(LAST_OFFICER)
        if admin is not None and admin not in officers:
            raise StaffRefused("to change a role you need to be an active officer")
        _between_check_and_act()
        before = user.role
        user.role = kind.value
        _events.record(
            session,
            user_id=user_id,
            kind="role_set",
            role=kind.value,
            actor=actor,
            at=moment,
        )
    audit.record(
        store,
        actor=actor,
        action="auth.role_set",
        details={"user_id": user_id, "from": before, "to": kind.value},
    )
    return RoleChange(user_id, kind.value)


def officer_addresses(store: Store) -> list[str]:
    """Sign-in addresses of the active privacy officers (for staff alerts)."""
    with store.session() as session:
        return sorted(
            session.scalars(
                select(User.email).where(
                    User.role == Role.privacy_officer.value,
                    User.disabled_at.is_(None),
                )
            )
        )
