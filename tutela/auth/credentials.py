"""Whose secret a password is: the user's own, or one somebody else set or saw.

Clause: rights.access.verification. A sign-in proves who someone is only
if nobody else knows the password. A password a staff member set (a user
they created with it, or a reset: the console shows it to them) is known to
that staff member, so a sign-in with it is no proof of the customer
(`tutela.rights.verification.verify_signed_in`) until the user chooses
their own (`change_own_password`, the portal's password page). The record
is the user-administration events (`tutela.auth._events`).
"""

from __future__ import annotations

from sqlalchemy import select

from tutela.auth import _events
from tutela.auth.passwords import verify_password
from tutela.auth.signin import set_password
from tutela.errors import Forbidden
from tutela.store import Store, utcnow
from tutela.store.models import User, UserAdminEvent


def password_known_to_staff(store: Store, user_id: int) -> bool:
    """Whether the user's current password was set by a staff member (not by them)."""
    with store.session() as session:
        last = session.scalars(
            select(UserAdminEvent)
            .where(
                UserAdminEvent.user_id == user_id,
                UserAdminEvent.kind.in_(("created", "password_set")),
            )
            .order_by(UserAdminEvent.at.desc(), UserAdminEvent.id.desc())
            .limit(1)
        ).one_or_none()
    return last is not None and last.by_user_id not in (None, user_id)


def change_own_password(
    store: Store, user_id: int, *, current: str, new: str, actor: str
) -> None:
    """The signed-in user replaces their password with one only they know.

    `Forbidden` when `current` is wrong. Recorded as chosen by the user, so
    a sign-in proves who they are from now on.
    """
    with store.session() as session:
        user = session.get(User, user_id)
        email = None if user is None else user.email
        hashed = None if user is None else user.password_hash
    if email is None or hashed is None or not verify_password(hashed, current):
        raise Forbidden("the current password is wrong")
    set_password(store, email=email, password=new, actor=actor)
    with store.writing() as session:
        _events.record(
            session, user_id=user_id, kind="password_set", actor=actor, at=utcnow()
        )


__all__ = ["change_own_password", "password_known_to_staff"]
