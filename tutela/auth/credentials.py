"""Whose secret a password is: one only the user knows, or one somebody else set or saw.

Clause: rights.access.verification. A sign-in proves who someone is only
if nobody else knows the password. Every password set for a user by
someone else (created with it, a reset the console shows to staff, the
host's operator, the demo) may be known to them, and so may every password
changed by whoever knew it: a staff member who reset a password can sign in
and "change" it. So a sign-in verifies a rights request
(`tutela.rights.verification.verify_signed_in`) only once the user chose
their password through a single-use link mailed to their sign-in address
(`send_choose_link`, mailed by `tutela.rights.own_password`;
`choose_password`): possession of that mailbox, which
the staff member does not have. `users.password_chosen_at` records it;
anything else that sets the password clears it (`tutela.auth.signin`).

A signed-in user may still change a password with the current one
(`change_own_password`); that keeps whatever the old one was: chosen stays
chosen, known to others stays known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.audit import log as audit
from tutela.auth.passwords import check_password_rules, hash_password
from tutela.auth.principal import AuthenticationFailed, AuthSettings
from tutela.auth.signin import check_password, end_sessions
from tutela.config import Settings
from tutela.errors import Forbidden, NotFound
from tutela.store import Store, new_token, token_digest, utc_aware, utcnow
from tutela.store.models import User

CHOOSE_PATH = "/portal/password/choose"
LINK_TTL = dt.timedelta(hours=1)


def password_known_to_others(store: Store, user_id: int) -> bool:
    """Whether someone besides the user may know their current password."""
    with store.session() as session:
        chosen = session.scalar(
            select(User.password_chosen_at).where(User.id == user_id)
        )
    return chosen is None


def change_own_password(
    store: Store,
    user_id: int,
    *,
    current: str,
    new: str,
    actor: str,
    settings: Settings,
) -> None:
    """The signed-in user replaces their password, proving the current one.

    `Forbidden` when `current` is wrong, counted against the address like a
    sign-in (an unattended session is no way around the lockout). Whether
    the password is the user's own does not change (see the module).
    """
    moment = utcnow()
    with store.session() as session:
        email = session.scalar(select(User.email).where(User.id == user_id))
    if email is None:
        raise Forbidden("the current password is wrong")
    check_password_rules(new, email=email)
    try:
        # The sign-in's own check: counted against the address's lockout
        # before the hash is verified, and audited when wrong.
        check_password(
            store, email, current, AuthSettings.from_settings(settings), moment
        )
    except AuthenticationFailed:  # LockedOut included
        raise Forbidden("the current password is wrong") from None
    fresh = hash_password(new)
    with store.writing() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.password_hash = fresh
        if user.password_chosen_at is not None:
            user.password_chosen_at = moment
        end_sessions(session, user_id, moment)
    audit.record(
        store, actor=actor, action="auth.password_set", details={"user_id": user_id}
    )


def send_choose_link(
    store: Store,
    user_id: int,
    *,
    actor: str,
    mail: Callable[[Session, str, str], None],
) -> None:
    """Issue a single-use link to choose a password; `mail` sends it.

    `mail(session, address, token)` runs in the same transaction (the
    mailing workflow counts the address's limits and queues the message:
    `tutela.rights.own_password`), so a refused mail leaves no link. A new
    link replaces an earlier one; only its digest is kept.
    """
    moment = utcnow()
    token = new_token()
    with store.writing() as session:
        user = session.get(User, user_id)
        if user is None or user.disabled_at is not None:
            raise NotFound("no such user")
        user.password_link_digest = token_digest(token)
        user.password_link_until = moment + LINK_TTL
        mail(session, user.email, token)
    audit.record(
        store,
        actor=actor,
        action="auth.password_link_sent",
        details={"user_id": user_id},
    )


def choose_password(store: Store, token: str, new: str) -> int:
    """Set the password the link's holder chose; the user's id.

    `NotFound` for an unknown, used or expired link (one answer for all).
    Every session ends; from now on a sign-in proves who the user is.
    """
    moment = utcnow()
    digest = token_digest(token)
    with store.writing() as session:
        user = session.scalars(
            select(User).where(User.password_link_digest == digest).with_for_update()
        ).one_or_none()
        until = None if user is None else user.password_link_until
        if user is None or user.disabled_at is not None or until is None:
            raise NotFound("this link is unknown, used or expired")
        if moment > utc_aware(until):
            raise NotFound("this link is unknown, used or expired")
        check_password_rules(new, email=user.email)
        user.password_hash = hash_password(new)
        user.password_chosen_at = moment
        user.password_link_digest = None
        user.password_link_until = None
        end_sessions(session, user.id, moment)
        user_id = user.id
    audit.record(
        store,
        actor=f"user:{user_id}",
        action="auth.password_chosen",
        details={"user_id": user_id},
    )
    return user_id


__all__ = [
    "CHOOSE_PATH",
    "change_own_password",
    "choose_password",
    "password_known_to_others",
    "send_choose_link",
]
