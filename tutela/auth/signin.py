"""Sign-in for staff and customers: users, passwords, lockout, re-authentication.

Clauses: secure.measures (argon2id password hashes; a lockout after repeated
failures; the same answer, in about the same time, whether or not an address
is known; every sign-in, failure, lockout and sign-out in the audit log),
use.purposes (a signed-in user acts as a `tutela.access` actor with the role's
purposes), collect.service_use.voicemail (customers sign in to delete their
voice mail), rights.access.verification (a customer who re-entered the
password within 5 minutes can verify an access request: `reauthenticate`).

    user = add_user(store, email="a@example.com", role="privacy_officer",
                    password=secret)
    issued = sign_in(store, email="a@example.com", password=secret)
    principal = resolve_session(store, issued.token)   # tutela.auth.sessions

Sessions and API tokens live in `tutela.auth.sessions`; both are random
tokens kept only as SHA-256 digests. Nothing here logs an address, a password
or a token; audit entries name users by surrogate id.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tutela.access.roles import CUSTOMER_ROLES, Role
from tutela.audit import log as audit
from tutela.auth import _events
from tutela.auth._people import account_of_person
from tutela.auth.lockout import claim_attempt, email_digest, mark_succeeded
from tutela.auth.passwords import (
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_password,
)
from tutela.auth.principal import (
    AuthenticationFailed,
    AuthSettings,
    CsrfRefused,
    LockedOut,
    Principal,
    SecondOfficerNeeded,
    actor_for,
)
from tutela.auth.sessions import (
    IssuedSession,
    check_csrf,
    csrf_token,
    end_session,
    issue_api_token,
    open_session,
    resolve_api_token,
    resolve_session,
    revoke_api_tokens,
)
from tutela.errors import Conflict, InvalidInput, NotFound
from tutela.store import Store, normalize_email, utc_aware, utcnow
from tutela.store.models import ApiToken, User, UserSession

log = logging.getLogger(__name__)

SIGN_IN_ROLES = frozenset(Role) - {Role.system}
ANONYMOUS = "anonymous:sign_in"

__all__ = [
    "AuthSettings",
    "AuthenticationFailed",
    "CsrfRefused",
    "IssuedSession",
    "LockedOut",
    "Principal",
    "UserView",
    "add_user",
    "authenticate",
    "check_csrf",
    "check_password",
    "csrf_token",
    "end_session",
    "end_sessions",
    "issue_api_token",
    "list_users",
    "normalize_email",
    "reauthenticate",
    "resolve_api_token",
    "resolve_session",
    "revoke_api_tokens",
    "set_password",
    "sign_in",
]


@dataclass(frozen=True)
class UserView:
    """A user as `tutela users list` shows it: no hash, no token."""

    id: int
    email: str
    role: str
    account_id: int | None
    person_id: int | None
    disabled: bool
    created_at: dt.datetime
    active_sessions: int
    active_tokens: int

    def as_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["created_at"] = utc_aware(self.created_at).isoformat()
        return out


# ------------------------------------------------------------ users


def add_user(
    store: Store,
    *,
    email: str,
    role: str,
    person_id: int | None = None,
    password: str | None = None,
    actor: str = "system:cli",
) -> UserView:
    """Create a user who can sign in.

    Staff roles take no person; `customer_admin` and `end_user` need the
    person they are (their account is the person's). Without a password the
    user can sign in only once one is set (`set_password`).

    A staff member never makes a privacy officer alone (`SecondOfficerNeeded`:
    one proposes, another approves, `tutela.auth.proposals`); a `system:`
    actor is the root of trust, the host's operator (`tutela.auth.officers`).
    """
    address = normalize_email(email)
    try:
        kind = Role(role)
    except ValueError:
        kind = Role.system
    if kind not in SIGN_IN_ROLES:
        names = ", ".join(sorted(r.value for r in SIGN_IN_ROLES))
        raise InvalidInput(f"must be one of {names}", field="role")
    if kind is Role.privacy_officer and _events.staff_id(actor) is not None:
        raise SecondOfficerNeeded(
            "a privacy officer is added by a proposal that a second, independent "
            "privacy officer approves (`tutela users add` proposes; "
            "`tutela users approve ID`)"
        )
    account_id: int | None = None
    if kind in CUSTOMER_ROLES:
        if person_id is None:
            raise InvalidInput("a customer user needs --person", field="person")
        account_id = account_of_person(store, person_id)
    elif person_id is not None:
        raise InvalidInput("a staff user is not a customer's person", field="person")
    if password is not None:
        check_password_rules(password, email=address)
    hashed = hash_password(password) if password is not None else None
    with store.session() as session:
        if session.scalar(select(User.id).where(User.email == address)) is not None:
            raise Conflict("a user with that e-mail address already exists")
        user = User(
            email=address,
            role=kind.value,
            account_id=account_id,
            person_id=person_id,
            password_hash=hashed,
        )
        session.add(user)
        session.flush()
        _events.record(
            session,
            user_id=user.id,
            kind="created",
            role=user.role,
            actor=actor,
            at=utcnow(),
        )
        view = _view(session, user)
    audit.record(
        store,
        actor=actor,
        action="auth.user_added",
        subjects=[person_id] if person_id is not None else [],
        details={"user_id": view.id, "role": view.role},
    )
    log.info("auth.user_added user_id=%d role=%s", view.id, view.role)
    return view


def set_password(
    store: Store, *, email: str, password: str, actor: str = "system:cli"
) -> None:
    """Set a user's password and end every session they have.

    A staff member who sets another user's password is recorded as one who
    may hold it (`user_admin_events`): that user is not independent of them.
    """
    address = normalize_email(email)
    check_password_rules(password, email=address)
    hashed = hash_password(password)
    with store.session() as session:
        user = _user_by_email(session, address)
        user.password_hash = hashed
        # Set by someone (or something) else: no longer the user's own secret.
        user.password_chosen_at = None
        user.password_link_digest = None
        moment = utcnow()
        end_sessions(session, user.id, moment)
        user_id = user.id
        if _events.staff_id(actor) not in (None, user_id):
            _events.record(
                session, user_id=user_id, kind="password_set", actor=actor, at=moment
            )
    audit.record(
        store, actor=actor, action="auth.password_set", details={"user_id": user_id}
    )


def _disable(session: Session, user: User, moment: dt.datetime) -> None:
    """Disable `user` in the caller's transaction: sessions and API tokens end now.

    Unchecked: `tutela.auth.user_admin.disable_user` checks, under a lock
    in the same transaction, that nobody disables themselves or the last
    privacy officer, and audits it.
    """
    user.disabled_at = user.disabled_at or moment
    end_sessions(session, user.id, moment)
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=moment)
    )


def list_users(store: Store) -> list[UserView]:
    """Every user, by id, with counts of live sessions and tokens."""
    with store.session() as session:
        return [
            _view(session, u) for u in session.scalars(select(User).order_by(User.id))
        ]


def _user_by_email(session: Session, address: str) -> User:
    user = session.scalar(select(User).where(User.email == address))
    if user is None:
        raise NotFound("no user has that e-mail address; see `tutela users list`")
    return user


def end_sessions(session: Session, user_id: int, moment: dt.datetime) -> None:
    """Revoke every live session of the user, in the caller's transaction."""
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=moment)
    )


def _view(session: Session, user: User) -> UserView:
    moment = utcnow()
    sessions = session.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > moment,
        )
    )
    tokens = session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > moment,
        )
    )
    return UserView(
        id=user.id,
        email=user.email,
        role=user.role,
        account_id=user.account_id,
        person_id=user.person_id,
        disabled=user.disabled_at is not None,
        created_at=user.created_at,
        active_sessions=int(sessions or 0),
        active_tokens=int(tokens or 0),
    )


# ------------------------------------------------------------ sign-in


def check_password(
    store: Store,
    email: str,
    password: str,
    rules: AuthSettings,
    moment: dt.datetime,
) -> User:
    """The user if the password is right.

    The attempt is counted (as a failure) before the password is checked,
    atomically (`tutela.auth.lockout`), so parallel guesses cannot
    outrun the lockout; a right password then marks it a success.
    """
    try:
        address = normalize_email(email)
    except InvalidInput:
        address = email.strip().lower()[:254] if isinstance(email, str) else ""
    digest = email_digest(store, address)
    attempt_id = claim_attempt(store, digest, rules=rules, moment=moment)
    with store.session() as session:
        user = session.scalar(select(User).where(User.email == address))
        if user is not None:
            session.expunge(user)
    if attempt_id is None:
        audit.record(
            store,
            actor=ANONYMOUS,
            action="auth.locked_out",
            details={"user_id": user.id if user else None},
        )
        raise LockedOut()
    usable = user is not None and user.disabled_at is None
    # Unknown, disabled or passwordless: still one argon2 verification.
    ok = verify_password(user.password_hash if usable and user else None, password)
    if ok and user is not None:
        with store.session() as session:
            mark_succeeded(session, attempt_id)
            if user.password_hash is not None and needs_rehash(user.password_hash):
                fresh = session.get(User, user.id)
                if fresh is not None:
                    fresh.password_hash = hash_password(password[:256])
    if not ok or user is None:
        audit.record(
            store,
            actor=ANONYMOUS,
            action="auth.sign_in_failed",
            details={"user_id": user.id if user else None},
        )
        log.info("auth.sign_in_failed")
        raise AuthenticationFailed()
    return user


def sign_in(
    store: Store,
    *,
    email: str,
    password: str,
    rules: AuthSettings | None = None,
    now: dt.datetime | None = None,
) -> IssuedSession:
    """Check the password and open a session (its token is returned once).

    Raises `AuthenticationFailed` with the same words for an unknown address,
    a wrong password or a disabled user, and `LockedOut` once an address
    (known or not) has `max_failures` failures within the lockout window.
    """
    rules = rules or AuthSettings()
    moment = now or utcnow()
    user = check_password(store, email, password, rules, moment)
    with store.session() as session:
        issued = open_session(session, user, rules=rules, now=moment)
    audit.record(
        store,
        actor=issued.principal.actor.id,
        action="auth.sign_in",
        details={"user_id": user.id, "session_id": issued.principal.session_id},
    )
    log.info("auth.sign_in user_id=%d", user.id)
    return issued


def authenticate(
    store: Store,
    *,
    email: str,
    password: str,
    rules: AuthSettings | None = None,
    now: dt.datetime | None = None,
) -> Principal:
    """Check a password (counted toward the lockout) without opening a session.

    For one-shot callers such as the CLI (`tutela.auth.staff`); the same
    answers as `sign_in` for unknown, wrong, disabled and locked-out.
    """
    rules = rules or AuthSettings()
    user = check_password(store, email, password, rules, now or utcnow())
    return Principal(
        user_id=user.id,
        role=Role(user.role),
        actor=actor_for(user.id, user.role, user.account_id, user.person_id),
        email=user.email,
    )


def reauthenticate(
    store: Store,
    token: str,
    *,
    password: str,
    rules: AuthSettings | None = None,
    now: dt.datetime | None = None,
) -> Principal:
    """Re-enter the password in a live session; stamps `reauthenticated_at`.

    Failures count toward the same lockout as sign-in.
    """
    rules = rules or AuthSettings()
    moment = now or utcnow()
    principal = resolve_session(store, token, rules=rules, now=moment)
    if principal is None or principal.session_id is None:
        raise AuthenticationFailed("the session has ended; sign in again")
    check_password(store, principal.email, password, rules, moment)
    with store.session() as session:
        row = session.get(UserSession, principal.session_id)
        if row is None or row.revoked_at is not None:
            raise AuthenticationFailed("the session has ended; sign in again")
        row.reauthenticated_at = moment
    audit.record(
        store,
        actor=principal.actor.id,
        action="auth.reauthenticated",
        details={"user_id": principal.user_id, "session_id": principal.session_id},
    )
    return replace(principal, reauthenticated_at=moment)
