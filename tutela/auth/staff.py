"""Staff who act: real, active, signed-in users with the role the act needs.

Clauses: secure.measures (nobody acts as staff by typing a number: the CLI
signs the staff member in with a password, counted toward the lockout, or a
staff API token), use.purposes (the role must carry the purpose or duty of
the act), rights.access.verification (a staff override of identity
verification is proposed and approved by two distinct real privacy
officers, each named in the audit log by user id).

    principal = authenticate_staff(store, email="po@example.com", password=pw)
    require_role(principal, {Role.privacy_officer}, action="decide a case")
    user_id = active_staff(store, "staff:7", roles={Role.privacy_officer})

`authenticate_staff` proves who is at the keyboard; `active_staff` is the
check workflows make on an actor id they are handed (is it a real user,
still enabled, with an allowed role right now?).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select

from tutela.access.roles import CUSTOMER_ROLES, Duty, Role, has_duty, purposes_for
from tutela.audit import log as audit
from tutela.auth.principal import (
    SIGN_IN_FAILED,
    AuthenticationFailed,
    AuthSettings,
    Principal,
)
from tutela.auth.signin import authenticate, resolve_api_token
from tutela.errors import Forbidden, InvalidInput
from tutela.policy import Policy
from tutela.store import Store, normalize_email, utcnow
from tutela.store.models import User

STAFF_ROLES = frozenset(Role) - CUSTOMER_ROLES - {Role.system}
NO_CREDENTIALS = (
    "this command acts as a staff member: name yourself with --as EMAIL (or "
    "TUTELA_STAFF) and give your password (prompted, or TUTELA_STAFF_PASSWORD), "
    "or set TUTELA_STAFF_TOKEN to a staff API token (`tutela users token`)"
)


class StaffRefused(Forbidden):
    """The acting user is not an active staff member with the role the act needs."""


def authenticate_staff(
    store: Store,
    *,
    email: str | None,
    password: str | None = None,
    token: str | None = None,
    rules: AuthSettings | None = None,
    now: dt.datetime | None = None,
) -> Principal:
    """The staff member proved by a password or a staff API token.

    A password check counts toward the sign-in lockout like any sign-in. A
    token must belong to the user named by `email` when both are given.
    Customers, disabled users, unknown addresses and wrong passwords are
    refused; every success is audited as `auth.cli_sign_in`.
    """
    rules = rules or AuthSettings()
    moment = now or utcnow()
    if token:
        found = resolve_api_token(store, token, now=moment)
        if found is None:
            raise AuthenticationFailed(
                "the staff API token is unknown, revoked or expired"
            )
        if email and normalize_email(email) != found.email:
            raise AuthenticationFailed(SIGN_IN_FAILED)
        principal, method = found, "token"
    elif email and password is not None:
        principal, method = (
            authenticate(
                store, email=email, password=password, rules=rules, now=moment
            ),
            "password",
        )
    else:
        raise AuthenticationFailed(NO_CREDENTIALS)
    if principal.role not in STAFF_ROLES:
        raise StaffRefused(
            "only staff act through these commands; customers use the portal "
            "and the API"
        )
    audit.record(
        store,
        actor=principal.actor.id,
        action="auth.cli_sign_in",
        details={"user_id": principal.user_id, "method": method},
    )
    return principal


def require_role(
    principal: Principal, roles: Collection[Role], *, action: str
) -> Principal:
    """`StaffRefused` unless the principal holds one of `roles`."""
    if principal.role not in roles:
        names = ", ".join(sorted(r.value for r in roles))
        raise StaffRefused(
            f"to {action} you need the role {names}; you are {principal.role.value}"
        )
    return principal


def require_duty(principal: Principal, duty: Duty, *, action: str) -> Principal:
    """`StaffRefused` unless the principal's role carries `duty`."""
    if not has_duty(principal.role, duty):
        raise StaffRefused(
            f"to {action} your role needs the duty {duty.value}; "
            f"{principal.role.value} does not have it"
        )
    return principal


def require_purpose(
    principal: Principal, purpose: str, *, action: str, policy: Policy
) -> Principal:
    """`StaffRefused` unless the principal's role may invoke `purpose` of `policy`."""
    if purpose not in purposes_for(principal.role, policy=policy):
        raise StaffRefused(
            f"to {action} your role must be allowed the purpose {purpose}; "
            f"{principal.role.value} is not"
        )
    return principal


def staff_user_id(actor: str) -> int:
    """The user id in a staff actor id 'staff:<user id>'; `InvalidInput` otherwise."""
    kind, _, number = actor.partition(":")
    if kind != "staff" or not number.isdigit() or len(number) > 18:
        raise InvalidInput("a staff member is named 'staff:<user id>'", field="staff")
    return int(number)


def active_staff(store: Store, actor: str, *, roles: Collection[Role]) -> int:
    """The user id behind `actor` if it is an active user holding one of `roles`.

    `StaffRefused` for a made-up id, a customer, a disabled user or another
    role: an actor id alone proves nothing.
    """
    user_id = staff_user_id(actor)
    with store.session() as session:
        found = session.execute(
            select(User.role, User.disabled_at).where(User.id == user_id)
        ).first()
    if found is None:
        raise StaffRefused(f"{actor} is not a user; see `tutela users list`")
    role, disabled_at = Role(found[0]), found[1]
    if disabled_at is not None:
        raise StaffRefused(f"{actor} is disabled and cannot act")
    if role not in roles:
        names = ", ".join(sorted(r.value for r in roles))
        raise StaffRefused(f"{actor} is a {role.value}; this needs the role {names}")
    return user_id


def has_active_officer(store: Store) -> bool:
    """Whether any privacy officer can sign in (the bootstrap: `tutela.auth.officers`)."""
    with store.session() as session:
        found = session.scalar(
            select(User.id)
            .where(
                User.role == Role.privacy_officer.value,
                User.disabled_at.is_(None),
                User.password_hash.is_not(None),
            )
            .limit(1)
        )
    return found is not None
