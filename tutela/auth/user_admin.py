"""User administration from the console and the CLI, with the lock-out rules.

Clause: secure.measures (only a privacy officer administers users; every
change is audited under that officer; nobody can disable the last privacy
officer who can sign in, nor disable themselves, which would leave the
deployment or the session without anyone to undo it). A reset password is
generated here, shown once to the officer who reset it, and stored only as
an argon2 hash; the user's sessions end at once (`auth.set_password`).
"""

from __future__ import annotations

from sqlalchemy import func, select

from tutela.access.roles import Role
from tutela.auth.passwords import generate_password
from tutela.auth.signin import disable_user, set_password
from tutela.auth.staff import staff_user_id
from tutela.errors import Conflict, NotFound
from tutela.store import Store, normalize_email
from tutela.store.models import User


def _email_of(store: Store, user_id: int) -> tuple[str, str, bool]:
    with store.session() as session:
        row = session.execute(
            select(User.email, User.role, User.disabled_at).where(User.id == user_id)
        ).first()
    if row is None:
        raise NotFound(f"user {user_id} does not exist")
    return str(row[0]), str(row[1]), row[2] is not None


def _other_active_officers(store: Store, user_id: int) -> int:
    with store.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(User)
                .where(
                    User.role == Role.privacy_officer.value,
                    User.disabled_at.is_(None),
                    User.password_hash.is_not(None),
                    User.id != user_id,
                )
            )
            or 0
        )


def disable_by_id(store: Store, user_id: int, *, actor: str) -> int:
    """Disable user `user_id`; `Conflict` for oneself or the last officer."""
    email, role, disabled = _email_of(store, user_id)
    if staff_user_id(actor) == user_id:
        raise Conflict("you cannot disable yourself; ask another privacy officer")
    if disabled:
        raise Conflict(f"user {user_id} is already disabled")
    if role == Role.privacy_officer.value and not _other_active_officers(
        store, user_id
    ):
        raise Conflict(
            "this is the last privacy officer who can sign in; add another first"
        )
    return disable_user(store, email=email, actor=actor)


def disable_by_email(store: Store, email: str, *, actor: str) -> int:
    """`disable_by_id` for the user signing in as `email` (the CLI's way)."""
    # The one rule for addresses (`normalize_email`), as every sign-in uses.
    address = normalize_email(email)
    with store.session() as session:
        user_id = session.scalar(select(User.id).where(User.email == address))
    if user_id is None:
        raise NotFound("no user signs in with this address")
    return disable_by_id(store, int(user_id), actor=actor)


def reset_password(store: Store, user_id: int, *, actor: str) -> str:
    """Give user `user_id` a new generated password (returned once) and end their sessions."""
    email, _role, disabled = _email_of(store, user_id)
    if disabled:
        raise Conflict(f"user {user_id} is disabled; a password would not help")
    password = generate_password()
    set_password(store, email=email, password=password, actor=actor)
    return password


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
