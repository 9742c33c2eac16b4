"""Two people means two people: who may approve what another privacy officer proposed.

Clauses: rights.access.verification (a staff override of identity
verification is proposed by one privacy officer and approved by a second,
independent one), secure.measures (a new privacy officer, or a role raised
to privacy officer, needs a second officer too; the root of trust that makes
the first two is named and audited).

    check_independent_approver(store, proposer=3, approver=5, now=utcnow())

An approver is not a second person, and `NotIndependent` says which rule:

- `same_person`: the approver is the proposer;
- `waiting`: the approver became a privacy officer through a proposal less
  than `TUTELA_OFFICER_APPROVAL_DAYS` (7) days ago: time for the other
  officers to notice an officer nobody should have approved;
- `administered`: one of the two created the other, gave them a role or set
  their password, directly or through others, or someone did so to both.
  Who administers an account may hold or have chosen its credentials.

The root of trust is whoever runs `tutela users add` on the host with access
to the data directory: it makes the first two privacy officers of a
deployment (`bootstrap_officer`), without waiting periods, each audited as
`system:bootstrap`. From then on an officer is added only by a proposal and
a second officer's approval (`tutela.auth.proposals`). Users made before
the record existed count as made by the root of trust.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.audit import log as audit
from tutela.auth import _events
from tutela.auth.passwords import check_password_rules, hash_password
from tutela.auth.principal import NotIndependent, SecondOfficerNeeded
from tutela.errors import Conflict
from tutela.store import Store, normalize_email, utc_aware, utcnow
from tutela.store.models import User

log = logging.getLogger(__name__)

BOOTSTRAP = "system:bootstrap"
# How many officers the root of trust makes before the two-person rule applies.
ROOT_OFFICERS = 2


def staff_user_id(actor: str) -> int | None:
    """The user id of a 'staff:<id>' actor, or None for any other actor."""
    return _events.staff_id(actor)


__all__ = [
    "BOOTSTRAP",
    "ROOT_OFFICERS",
    "NotIndependent",
    "bootstrap_officer",
    "bootstrap_open",
    "check_independent_approver",
    "check_independent_in",
    "staff_user_id",
]


def check_independent_approver(
    store: Store,
    *,
    proposer: int,
    approver: int,
    now: dt.datetime | None = None,
) -> None:
    """`NotIndependent` unless user `approver` is a second person to user `proposer`.

    The rules are in the module docstring; both ids are users' surrogate ids
    (the number in `staff:<id>`). Whether both are active privacy officers is
    the caller's check (`tutela.auth.staff.active_staff`).
    """
    with store.session() as session:
        check_independent_in(
            session, proposer=proposer, approver=approver, now=now or utcnow()
        )


def check_independent_in(
    session: Session, *, proposer: int, approver: int, now: dt.datetime
) -> None:
    """`check_independent_approver` inside the caller's transaction."""
    if proposer == approver:
        raise NotIndependent(
            "the proposer cannot approve: it needs a second privacy officer",
            reason="same_person",
        )
    granted = _events.last_role_event(session, approver)
    until = granted.waiting_until if granted is not None else None
    waiting = utc_aware(until) if until is not None else None
    if waiting is not None and now < waiting:
        raise NotIndependent(
            f"user {approver} became a privacy officer recently and may approve "
            f"what another officer proposed from {waiting:%Y-%m-%d %H:%M} UTC",
            reason="waiting",
        )
    proposers = _events.administrators(session, [proposer])
    approvers = _events.administrators(session, [approver])
    if approver in proposers:
        raise NotIndependent(
            f"user {approver} created, reset the password of or gave a role to "
            f"user {proposer} (directly or through others): not a second person",
            reason="administered",
        )
    if proposer in approvers:
        raise NotIndependent(
            f"user {proposer} created, reset the password of or gave a role to "
            f"user {approver} (directly or through others): not a second person",
            reason="administered",
        )
    shared = sorted(proposers & approvers)
    if shared:
        raise NotIndependent(
            f"users {proposer} and {approver} were both administered by user "
            f"{shared[0]} (created, password reset or role given): not two people",
            reason="administered",
        )


def bootstrap_open(store: Store) -> int:
    """How many more officers the root of trust may make (0 once two ever existed)."""
    with store.session() as session:
        return max(ROOT_OFFICERS - _events.officers_ever(session), 0)


def bootstrap_officer(
    store: Store, *, email: str, password: str, signed_in: str | None = None
) -> int:
    """Make one of the first two privacy officers; the new user's id.

    The root of trust acts: no proposal, no waiting period, administered by
    no one, audited as `system:bootstrap` (with the staff member signed in,
    if any, in the details). `SecondOfficerNeeded` once the deployment has
    ever had two officers: from then on a proposal and a second officer's
    approval add one, and disabling or demoting officers does not reopen
    the bootstrap.
    """
    address = normalize_email(email)
    check_password_rules(password, email=address)
    hashed = hash_password(password)
    moment = utcnow()
    with store.writing() as session:
        _events.lock_officer_grants(session)
        made = _events.officers_ever(session)
        if made >= ROOT_OFFICERS:
            raise SecondOfficerNeeded(
                f"this deployment has had {made} privacy officers; a new one is "
                "proposed by one officer and approved by a second "
                "(`tutela users add` signed in, then `tutela users approve ID`)"
            )
        if session.scalar(select(User.id).where(User.email == address)) is not None:
            raise Conflict("a user with that e-mail address already exists")
        user = User(email=address, role=_events.OFFICER, password_hash=hashed)
        session.add(user)
        session.flush()
        _events.record(
            session,
            user_id=user.id,
            kind="created",
            role=user.role,
            actor=BOOTSTRAP,
            at=moment,
        )
        user_id = user.id
    audit.record(
        store,
        actor=BOOTSTRAP,
        action="auth.user_added",
        details={
            "user_id": user_id,
            "role": _events.OFFICER,
            "bootstrap": made + 1,
            "signed_in": signed_in,
        },
    )
    log.info("auth.user_added user_id=%d role=%s", user_id, _events.OFFICER)
    return user_id
