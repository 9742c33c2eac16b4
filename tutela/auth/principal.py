"""Who is signed in, the sign-in rules, and the errors of authentication.

Clause: secure.measures. Shared by `tutela.auth.signin` and
`tutela.auth.sessions`; import these names from `tutela.auth.signin`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tutela.access.actors import Actor
from tutela.access.roles import Role
from tutela.config import Settings
from tutela.errors import Forbidden, TutelaError

SIGN_IN_FAILED = "the e-mail address or the password is wrong"
LOCKED_OUT = "too many failed sign-ins; wait and try again"


class AuthenticationFailed(TutelaError):
    """No valid credentials: the same words whatever was wrong (HTTP 401)."""

    status = 401

    def __init__(self, message: str = SIGN_IN_FAILED) -> None:
        super().__init__(message)


class LockedOut(AuthenticationFailed):
    """Too many failed sign-ins for one address in the lockout window (HTTP 429)."""

    status = 429

    def __init__(self) -> None:
        super().__init__(LOCKED_OUT)


class CsrfRefused(Forbidden):
    """A form post without the page's anti-forgery token."""

    def __init__(self) -> None:
        super().__init__(
            "the form is missing its anti-forgery token or the token is stale; "
            "reload the page and submit again"
        )


class SecondOfficerNeeded(Forbidden):
    """Making someone a privacy officer alone: it is proposed, then approved by another."""


class NotIndependent(Forbidden):
    """The approver is not a second, independent privacy officer.

    `reason` names the rule: `same_person`, `waiting` (a new officer's first
    days) or `administered` (one of the two created, reset or gave a role to
    the other, directly or through others, or someone did so to both).
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class AuthSettings:
    """Lifetimes and limits; `from_settings` reads them from `Settings`."""

    session_ttl: dt.timedelta = dt.timedelta(hours=8)
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    api_token_ttl: dt.timedelta = dt.timedelta(days=90)
    # A new privacy officer approves nothing for this long (`tutela.auth.officers`).
    officer_approval_wait: dt.timedelta = dt.timedelta(days=7)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthSettings:
        return cls(
            session_ttl=dt.timedelta(hours=settings.session_hours),
            idle_timeout=dt.timedelta(minutes=settings.session_idle_minutes),
            max_failures=settings.login_max_failures,
            lockout=dt.timedelta(minutes=settings.login_lockout_minutes),
            api_token_ttl=dt.timedelta(days=settings.api_token_days),
            officer_approval_wait=dt.timedelta(days=settings.officer_approval_days),
        )


@dataclass(frozen=True)
class Principal:
    """A signed-in user: their surrogate actor, role and session facts.

    The e-mail address is left out of `repr`, so a stray log line of a
    principal cannot carry it.
    """

    user_id: int
    role: Role
    actor: Actor
    email: str = field(repr=False, default="")
    session_id: int | None = None
    reauthenticated_at: dt.datetime | None = None

    @property
    def is_customer(self) -> bool:
        return self.actor.is_customer

    @property
    def is_staff(self) -> bool:
        return not self.actor.is_customer


def actor_for(
    user_id: int, role: str, account_id: int | None, person_id: int | None
) -> Actor:
    """The `tutela.access` actor of a user: 'staff:<user id>' or 'user:<person id>'."""
    kind = Role(role)
    if kind in (Role.customer_admin, Role.end_user):
        assert account_id is not None and person_id is not None  # schema rule
        return Actor.customer(person_id, account_id, admin=kind is Role.customer_admin)
    return Actor.staff(user_id, kind)
