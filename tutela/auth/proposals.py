"""A new privacy officer, or a role raised to one: proposed by one officer, approved by another.

Clauses: secure.measures (no single officer makes a second officer identity:
adding an officer or raising a user's role to privacy officer is a proposal
that a second, independent privacy officer approves, `tutela.auth.officers`;
every step is audited), rights.access.verification (the two-person override
is only as good as the independence of its two officers).

    proposed = propose_officer(store, email="new@example.com", actor="staff:3")
    proposed.setup_half        # shown once to the proposer
    approved = approve_proposal(store, proposed.proposal.id, actor="staff:5")
    approved.setup_half        # shown once to the approver
    set_password_with_setup(store, email="new@example.com",
                            halves=(first, second), password=chosen)

Nobody but the new officer learns the new officer's password. The proposer
gets one half of a one-time setup code, the approver (only once approved)
the other; each hands theirs to the new officer, who needs both to choose a
password (`tutela users set-password`). Neither officer alone can sign in
as the new one, and the approver, who never held a credential, stays
independent of the new officer (the proposer, who chose them, does not).
A raised user keeps their own password. Proposals expire after 7 days;
setup codes 7 days after approval.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.access.roles import CUSTOMER_ROLES, Role
from tutela.audit import log as audit
from tutela.auth import _events
from tutela.auth.officers import check_independent_in
from tutela.auth.passwords import check_password_rules, hash_password
from tutela.auth.principal import AuthenticationFailed
from tutela.auth.staff import StaffRefused, staff_user_id
from tutela.errors import Conflict, InvalidInput, NotFound
from tutela.store import (
    Store,
    new_token,
    normalize_email,
    token_digest,
    utc_aware,
    utcnow,
)
from tutela.store.models import User, UserProposal

PROPOSAL_TTL = dt.timedelta(days=7)
SETUP_TTL = dt.timedelta(days=7)
DEFAULT_WAIT = dt.timedelta(days=7)
SETUP_FAILED = "the setup code is wrong, used or expired"
SETUP_PREFIX = "setup_"

__all__ = [
    "Approved",
    "ProposalView",
    "Proposed",
    "approve_proposal",
    "list_proposals",
    "propose_officer",
    "propose_raise",
    "reject_proposal",
    "set_password_with_setup",
]


@dataclass(frozen=True)
class ProposalView:
    """A proposal as the console and `tutela users proposals` show it: no digest."""

    id: int
    kind: str
    role: str
    state: str
    user_id: int | None
    email: str | None
    proposed_by: int
    proposed_at: dt.datetime
    expires_at: dt.datetime
    decided_by: int | None

    def as_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["proposed_at"] = utc_aware(self.proposed_at).isoformat()
        out["expires_at"] = utc_aware(self.expires_at).isoformat()
        return out


@dataclass(frozen=True)
class Proposed:
    """A new proposal; `setup_half` (a new officer only) is shown once to the proposer."""

    proposal: ProposalView
    setup_half: str | None


@dataclass(frozen=True)
class Approved:
    """An approved proposal; `setup_half` (a new officer only) is shown once to the approver."""

    proposal: ProposalView
    user_id: int
    setup_half: str | None


def _view(row: UserProposal) -> ProposalView:
    return ProposalView(
        id=row.id,
        kind=row.kind,
        role=row.role,
        state=row.state,
        user_id=row.user_id,
        email=row.email,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        expires_at=row.expires_at,
        decided_by=row.decided_by,
    )


def _officer(session: Session, actor: str, *, action: str) -> int:
    """The id of the active privacy officer `actor`, read in the caller's transaction."""
    user_id = staff_user_id(actor)
    if not _is_officer(session, user_id):
        raise StaffRefused(f"to {action} you need to be an active privacy officer")
    return user_id


def _is_officer(session: Session, user_id: int) -> bool:
    row = session.execute(
        select(User.role, User.disabled_at).where(User.id == user_id)
    ).first()
    return row is not None and row[1] is None and row[0] == _events.OFFICER


def _pending_for(session: Session, *, email: str | None, user_id: int | None) -> bool:
    where = [UserProposal.state == "pending", UserProposal.expires_at > utcnow()]
    if email is not None:
        where.append(UserProposal.email == email)
    if user_id is not None:
        where.append(UserProposal.user_id == user_id)
    return session.scalar(select(UserProposal.id).where(*where).limit(1)) is not None


def propose_officer(store: Store, *, email: str, actor: str) -> Proposed:
    """Propose a new privacy officer; nobody is created until a second officer approves."""
    address = normalize_email(email)
    moment = utcnow()
    half = new_token(SETUP_PREFIX)
    with store.writing() as session:
        proposer = _officer(session, actor, action="propose a privacy officer")
        if session.scalar(select(User.id).where(User.email == address)) is not None:
            raise Conflict("a user with that e-mail address already exists")
        if _pending_for(session, email=address, user_id=None):
            raise Conflict("a proposal for that address is already pending")
        row = UserProposal(
            kind="add",
            state="pending",
            role=_events.OFFICER,
            email=address,
            proposed_by=proposer,
            proposed_at=moment,
            expires_at=moment + PROPOSAL_TTL,
            setup_first=token_digest(half),
        )
        session.add(row)
        session.flush()
        view = _view(row)
    _audit(store, actor, "auth.officer_proposed", view)
    return Proposed(view, half)


def propose_raise(store: Store, *, user_id: int, role: str, actor: str) -> Proposed:
    """Propose raising staff user `user_id` to `role` (privacy officer)."""
    if role != _events.OFFICER:
        raise InvalidInput(
            "only a raise to privacy_officer is proposed; other staff roles are "
            "set by one officer",
            field="role",
        )
    moment = utcnow()
    with store.writing() as session:
        proposer = _officer(session, actor, action="propose a privacy officer")
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        _raisable(user)
        if _pending_for(session, email=None, user_id=user_id):
            raise Conflict(f"a proposal for user {user_id} is already pending")
        row = UserProposal(
            kind="raise",
            state="pending",
            role=role,
            user_id=user_id,
            proposed_by=proposer,
            proposed_at=moment,
            expires_at=moment + PROPOSAL_TTL,
        )
        session.add(row)
        session.flush()
        view = _view(row)
    _audit(store, actor, "auth.officer_proposed", view)
    return Proposed(view, None)


def _raisable(user: User) -> None:
    if user.disabled_at is not None:
        raise Conflict(
            f"user {user.id} is disabled; a disabled user is not given a role"
        )
    if Role(user.role) in CUSTOMER_ROLES:
        raise InvalidInput("a customer user does not become staff", field="role")
    if user.role == _events.OFFICER:
        raise Conflict(f"user {user.id} is already a privacy officer")


def approve_proposal(
    store: Store,
    proposal_id: int,
    *,
    actor: str,
    wait: dt.timedelta = DEFAULT_WAIT,
    now: dt.datetime | None = None,
) -> Approved:
    """A second, independent privacy officer approves; the officer exists from now.

    The approver must be an active privacy officer independent of the
    proposer (`check_independent_approver`: not the proposer, past their own
    waiting period, neither administered by the other), and not the user
    being raised. The new officer approves nothing for `wait`
    (`TUTELA_OFFICER_APPROVAL_DAYS`).
    """
    moment = now or utcnow()
    half = new_token(SETUP_PREFIX)
    with store.writing() as session:
        _events.lock_officer_grants(session)
        approver = _officer(session, actor, action="approve a privacy officer")
        row = session.scalars(
            select(UserProposal).where(UserProposal.id == proposal_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise NotFound(f"proposal {proposal_id} does not exist")
        _decidable(row, moment)
        if not _is_officer(session, row.proposed_by):
            raise Conflict(
                f"proposal {row.id} was made by someone who is no longer an active "
                "privacy officer; propose again"
            )
        check_independent_in(
            session, proposer=row.proposed_by, approver=approver, now=moment
        )
        if row.user_id == approver:
            raise StaffRefused("nobody approves their own raise")
        row.state, row.decided_by, row.decided_at = "approved", approver, moment
        if row.kind == "add":
            user_id = _add(session, row, actor=actor, moment=moment, wait=wait)
            row.setup_second = token_digest(half)
            row.setup_until = moment + SETUP_TTL
        else:
            user_id = _raise(session, row, actor=actor, moment=moment, wait=wait)
        view = _view(row)
    _audit(store, actor, "auth.officer_approved", view, user_id=user_id)
    return Approved(view, user_id, half if view.kind == "add" else None)


def _decidable(row: UserProposal, moment: dt.datetime) -> None:
    if row.state != "pending":
        raise Conflict(f"proposal {row.id} is {row.state}, not pending")
    if utc_aware(row.expires_at) <= moment:
        raise Conflict(f"proposal {row.id} has expired; propose again")


def _add(
    session: Session,
    row: UserProposal,
    *,
    actor: str,
    moment: dt.datetime,
    wait: dt.timedelta,
) -> int:
    address = row.email or ""
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict("a user with that e-mail address already exists")
    # No password: the new officer chooses one with both halves of the code.
    user = User(email=address, role=row.role, password_hash=None)
    session.add(user)
    session.flush()
    row.user_id = user.id
    _events.record(
        session,
        user_id=user.id,
        kind="created",
        role=row.role,
        actor=f"staff:{row.proposed_by}",
        at=moment,
        approved_by=staff_user_id(actor),
        proposal_id=row.id,
        waiting_until=moment + wait,
    )
    return user.id


def _raise(
    session: Session,
    row: UserProposal,
    *,
    actor: str,
    moment: dt.datetime,
    wait: dt.timedelta,
) -> int:
    user = session.get(User, row.user_id) if row.user_id is not None else None
    if user is None:
        raise NotFound(f"the user of proposal {row.id} no longer exists")
    _raisable(user)
    user.role = row.role
    _events.record(
        session,
        user_id=user.id,
        kind="role_set",
        role=row.role,
        actor=f"staff:{row.proposed_by}",
        at=moment,
        approved_by=staff_user_id(actor),
        proposal_id=row.id,
        waiting_until=moment + wait,
    )
    return user.id


def reject_proposal(store: Store, proposal_id: int, *, actor: str) -> ProposalView:
    """Any privacy officer, the proposer included, turns a pending proposal down."""
    moment = utcnow()
    with store.writing() as session:
        officer = _officer(session, actor, action="reject a proposal")
        row = session.get(UserProposal, proposal_id)
        if row is None:
            raise NotFound(f"proposal {proposal_id} does not exist")
        if row.state != "pending":
            raise Conflict(f"proposal {row.id} is {row.state}, not pending")
        row.state, row.decided_by, row.decided_at = "rejected", officer, moment
        row.setup_first = None
        view = _view(row)
    _audit(store, actor, "auth.officer_rejected", view)
    return view


def list_proposals(store: Store, *, pending: bool = True) -> list[ProposalView]:
    """Proposals by id (only the pending, unexpired ones unless `pending=False`)."""
    query = select(UserProposal).order_by(UserProposal.id)
    if pending:
        query = query.where(
            UserProposal.state == "pending", UserProposal.expires_at > utcnow()
        )
    with store.session() as session:
        return [_view(row) for row in session.scalars(query)]


def set_password_with_setup(
    store: Store, *, email: str, halves: tuple[str, str], password: str
) -> int:
    """The new officer chooses their password with both halves of the setup code.

    `AuthenticationFailed` with the same words for an unknown address, a
    wrong half, a used or an expired code. The code works once; the user's
    id is returned.
    """
    address = normalize_email(email)
    check_password_rules(password, email=address)
    hashed = hash_password(password)
    moment = utcnow()
    first, second = (token_digest(h.strip()) for h in halves)
    with store.writing() as session:
        found = session.execute(
            select(UserProposal, User)
            .join(User, User.id == UserProposal.user_id)
            .where(
                User.email == address,
                UserProposal.kind == "add",
                UserProposal.state == "approved",
                UserProposal.setup_second.is_not(None),
            )
            .order_by(UserProposal.id.desc())
            .limit(1)
        ).first()
        if found is None:
            raise AuthenticationFailed(SETUP_FAILED)
        row, user = found[0], found[1]
        fits = hmac.compare_digest(row.setup_first or "", first) & hmac.compare_digest(
            row.setup_second or "", second
        )
        live = row.setup_until is not None and moment < utc_aware(row.setup_until)
        if not (fits and live) or user.disabled_at is not None:
            raise AuthenticationFailed(SETUP_FAILED)
        row.setup_first = row.setup_second = None
        user.password_hash = hashed
        user_id = user.id
        _events.record(
            session,
            user_id=user_id,
            kind="password_set",
            actor=f"staff:{user_id}",
            at=moment,
        )
    audit.record(
        store,
        actor=f"staff:{user_id}",
        action="auth.password_set",
        details={"user_id": user_id, "method": "setup_code"},
    )
    return user_id


def _audit(
    store: Store,
    actor: str,
    action: str,
    view: ProposalView,
    *,
    user_id: int | None = None,
) -> None:
    audit.record(
        store,
        actor=actor,
        action=action,
        details={
            "proposal_id": view.id,
            "kind": view.kind,
            "role": view.role,
            "user_id": user_id if user_id is not None else view.user_id,
            "proposer_user_id": view.proposed_by,
        },
    )
