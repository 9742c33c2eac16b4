"""The record of user administration, and the locks that keep officers' invariants.

Clauses: secure.measures (who created a user, gave them a role or set their
password is kept, by surrogate id, beside the audit log), rights.access.verification
(the two-person rule reads this record: `tutela.auth.officers`).

An event's `by_user_id` is the staff member who did it; it is empty for the
root of trust (a `system:` actor: the host's operator, the demo, a
migration). Only staff acts make one user answerable for another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from tutela.access.roles import Role
from tutela.store.models import User, UserAdminEvent

OFFICER = Role.privacy_officer.value
# Events by which one user may hold or have chosen another's credentials.
ADMINISTERING = ("created", "role_set", "password_set")
# One key for every change to who is a privacy officer (PostgreSQL advisory lock).
_OFFICERS_LOCK = 0x7475_7465_6C61_01


def staff_id(actor: str) -> int | None:
    """The user id in 'staff:<id>', or None for any other actor (the root of trust)."""
    kind, _, number = actor.partition(":")
    if kind == "staff" and number.isdigit() and len(number) <= 18:
        return int(number)
    return None


def record(
    session: Session,
    *,
    user_id: int,
    kind: str,
    actor: str,
    at: dt.datetime,
    role: str | None = None,
    approved_by: int | None = None,
    proposal_id: int | None = None,
    waiting_until: dt.datetime | None = None,
) -> None:
    """Add one event to the caller's transaction (committed with the change)."""
    session.add(
        UserAdminEvent(
            user_id=user_id,
            kind=kind,
            role=role,
            by_user_id=staff_id(actor),
            approved_by_user_id=approved_by,
            actor=actor[:64],
            proposal_id=proposal_id,
            waiting_until=waiting_until,
            at=at,
        )
    )


def administrators(session: Session, user_ids: Collection[int]) -> set[int]:
    """Everyone who, directly or through others, administered any of `user_ids`.

    The transitive closure over "created, gave a role to, set the password
    of", the users themselves included: if A reset B's password and B made
    C, A may hold C's credentials too.
    """
    seen = set(user_ids)
    frontier = set(user_ids)
    while frontier:
        found = set(
            session.scalars(
                select(UserAdminEvent.by_user_id).where(
                    UserAdminEvent.user_id.in_(frontier),
                    UserAdminEvent.kind.in_(ADMINISTERING),
                    UserAdminEvent.by_user_id.is_not(None),
                )
            )
        )
        frontier = {u for u in found if u is not None} - seen
        seen |= frontier
    return seen


def officers_ever(session: Session) -> int:
    """How many users are, or ever were, privacy officers (the bootstrap counts these)."""
    now_officers = select(User.id).where(User.role == OFFICER)
    granted = select(UserAdminEvent.user_id).where(
        UserAdminEvent.role == OFFICER,
        UserAdminEvent.kind.in_(("created", "role_set")),
    )
    both = union(now_officers, granted).subquery()
    return int(session.scalar(select(func.count()).select_from(both)) or 0)


def lock_officers(session: Session) -> list[int]:
    """The active officers who can sign in, locked for the caller's transaction.

    On PostgreSQL the rows are read FOR UPDATE, in id order: a concurrent
    disable (or demotion) waits for them, then re-reads them, and an officer
    disabled meanwhile drops out of its answer. On SQLite the caller's
    `Store.writing()` transaction (BEGIN IMMEDIATE) already holds the
    database's write lock, so a second writer waits at its BEGIN.
    """
    return list(
        session.scalars(
            select(User.id)
            .where(
                User.role == OFFICER,
                User.disabled_at.is_(None),
                User.password_hash.is_not(None),
            )
            .order_by(User.id)
            .with_for_update()
        )
    )


def lock_officer_grants(session: Session) -> None:
    """Make grants of the officer role take turns (bootstrap, approvals).

    There may be no officer row to lock yet (the first bootstrap), so
    PostgreSQL takes a transaction-scoped advisory lock; SQLite's
    `Store.writing()` already serializes writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_OFFICERS_LOCK)))


def last_role_event(session: Session, user_id: int) -> UserAdminEvent | None:
    """The event that gave `user_id` their present role, if one is recorded."""
    return session.scalar(
        select(UserAdminEvent)
        .where(
            UserAdminEvent.user_id == user_id,
            UserAdminEvent.kind.in_(("created", "role_set")),
        )
        .order_by(UserAdminEvent.id.desc())
        .limit(1)
    )
