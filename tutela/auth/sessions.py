"""Browser sessions, anti-forgery tokens and API bearer tokens.

Clause: secure.measures. A session or API token is 256 random bits handed to
the client once; the store keeps only its SHA-256 digest, so a copy of the
database (or of its backups) cannot be replayed as a sign-in. Sessions end at
a fixed lifetime, after an idle period, on sign-out and when the user is
disabled. The anti-forgery token of a form is an HMAC of the session token,
which a page on another site can neither read nor compute.
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
from tutela.auth.principal import (
    AuthSettings,
    CsrfRefused,
    Principal,
    actor_for,
)
from tutela.errors import Forbidden, InvalidInput
from tutela.store import (
    Store,
    new_token,
    normalize_email,
    token_digest,
    utc_aware,
    utcnow,
)
from tutela.store.models import ApiToken, User, UserSession

API_TOKEN_PREFIX = "tut_"
_TOUCH_EVERY = dt.timedelta(seconds=60)  # bound the writes of last-seen times
_MAX_TOKEN = 200


@dataclass(frozen=True)
class IssuedSession:
    """A new session: the token goes into the cookie and nowhere else."""

    token: str
    principal: Principal
    expires_at: dt.datetime

    def __repr__(self) -> str:  # the token must never reach a log line
        return f"IssuedSession(session_id={self.principal.session_id})"


def csrf_token(token: str) -> str:
    """The anti-forgery token for forms of the session (or pre-session) `token`."""
    return hmac.new(token.encode("utf-8"), b"tutela.csrf.v1", "sha256").hexdigest()


def check_csrf(token: str | None, given: str | None) -> None:
    """`CsrfRefused` unless `given` is the anti-forgery token of `token`."""
    if not token or not given or len(given) > 128:
        raise CsrfRefused()
    # Bytes: compare_digest refuses str with characters beyond ASCII.
    expected = csrf_token(token).encode("ascii")
    if not hmac.compare_digest(expected, given.encode("utf-8", "surrogateescape")):
        raise CsrfRefused()


def _principal(user: User, row: UserSession | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        role=Role(user.role),
        actor=actor_for(user.id, user.role, user.account_id, user.person_id),
        email=user.email,
        session_id=row.id if row is not None else None,
        reauthenticated_at=utc_aware(row.reauthenticated_at)
        if row is not None
        else None,
    )


# ------------------------------------------------------------ sessions


def open_session(
    session: Session, user: User, *, rules: AuthSettings, now: dt.datetime
) -> IssuedSession:
    """A fresh session for `user` (called by `sign_in` after the password check)."""
    token = new_token()
    row = UserSession(
        token_hash=token_digest(token),
        user_id=user.id,
        created_at=now,
        expires_at=now + rules.session_ttl,
        last_seen_at=now,
        reauthenticated_at=now,
    )
    session.add(row)
    session.flush()
    return IssuedSession(token, _principal(user, row), row.expires_at)


def resolve_session(
    store: Store,
    token: str | None,
    *,
    rules: AuthSettings | None = None,
    now: dt.datetime | None = None,
) -> Principal | None:
    """The principal of a live session token, or None (unknown, ended, idle)."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    rules = rules or AuthSettings()
    moment = now or utcnow()
    with store.session() as session:
        found = session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == token_digest(token))
        ).first()
        if found is None:
            return None
        row, user = found[0], found[1]
        last_seen = utc_aware(row.last_seen_at)
        if (
            row.revoked_at is not None
            or user.disabled_at is not None
            or utc_aware(row.expires_at) <= moment
            or moment - last_seen > rules.idle_timeout
        ):
            return None
        if moment - last_seen >= _TOUCH_EVERY:
            row.last_seen_at = moment
        return _principal(user, row)


def end_session(store: Store, token: str | None) -> bool:
    """Revoke the session of `token` (sign-out); True if one was live."""
    if not token or len(token) > _MAX_TOKEN:
        return False
    moment = utcnow()
    with store.session() as session:
        row = session.scalar(
            select(UserSession).where(UserSession.token_hash == token_digest(token))
        )
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = moment
        user = session.get(User, row.user_id)
        actor = (
            actor_for(user.id, user.role, user.account_id, user.person_id).id
            if user is not None
            else "anonymous:sign_in"
        )
        session_id = row.id
    audit.record(
        store, actor=actor, action="auth.sign_out", details={"session_id": session_id}
    )
    return True


# ------------------------------------------------------------ API tokens


def issue_api_token(
    store: Store,
    *,
    email: str,
    rules: AuthSettings | None = None,
    now: dt.datetime | None = None,
    actor: str = "system:cli",
) -> str:
    """A new bearer token; returned once, stored as a digest.

    A customer user's token opens the API (`/api/...`, their own account);
    a staff member's token signs them in to the CLI (`TUTELA_STAFF_TOKEN`).
    Whoever holds a staff member's token acts as them, so a staff member's
    token is issued only to that staff member (or by the root of trust, a
    `system:` actor), never by one staff member for another.
    """
    rules = rules or AuthSettings()
    moment = now or utcnow()
    address = normalize_email(email)
    token = new_token(API_TOKEN_PREFIX)
    with store.session() as session:
        user = session.scalar(select(User).where(User.email == address))
        if user is None:
            raise InvalidInput("no user has that e-mail address", field="email")
        if user.disabled_at is not None:
            raise InvalidInput("the user is disabled", field="email")
        issuer = _events.staff_id(actor)
        if (
            issuer is not None
            and issuer != user.id
            and Role(user.role) not in CUSTOMER_ROLES
        ):
            raise Forbidden(
                f"user {user.id} is staff: whoever holds a staff token acts as that "
                "person, so staff issue their own (`tutela users token --email YOU`)"
            )
        row = ApiToken(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=moment,
            expires_at=moment + rules.api_token_ttl,
        )
        session.add(row)
        session.flush()
        user_id, token_id = user.id, row.id
    audit.record(
        store,
        actor=actor,
        action="auth.token_issued",
        details={"user_id": user_id, "token_id": token_id},
    )
    return token


def revoke_api_tokens(store: Store, *, email: str, actor: str = "system:cli") -> int:
    """Revoke every live API token of a user; returns how many."""
    address = normalize_email(email)
    moment = utcnow()
    with store.session() as session:
        user = session.scalar(select(User).where(User.email == address))
        if user is None:
            raise InvalidInput("no user has that e-mail address", field="email")
        rows = list(
            session.scalars(
                select(ApiToken).where(
                    ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
                )
            )
        )
        for row in rows:
            row.revoked_at = moment
        user_id = user.id
    audit.record(
        store,
        actor=actor,
        action="auth.tokens_revoked",
        details={"user_id": user_id, "count": len(rows)},
    )
    return len(rows)


def resolve_api_token(
    store: Store, token: str | None, *, now: dt.datetime | None = None
) -> Principal | None:
    """The principal of a live API token, or None."""
    if not token or len(token) > _MAX_TOKEN or not token.startswith(API_TOKEN_PREFIX):
        return None
    moment = now or utcnow()
    with store.session() as session:
        found = session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == token_digest(token))
        ).first()
        if found is None:
            return None
        row, user = found[0], found[1]
        if (
            row.revoked_at is not None
            or user.disabled_at is not None
            or utc_aware(row.expires_at) <= moment
        ):
            return None
        if (
            row.last_used_at is None
            or moment - utc_aware(row.last_used_at) >= _TOUCH_EVERY
        ):
            row.last_used_at = moment
        return _principal(user)
