"""Who is at the keyboard: every CLI command that acts as staff signs a real person in.

Clauses: secure.measures, use.purposes, rights.access.verification.
`--as EMAIL` (or `TUTELA_STAFF`) names the staff member. The password is
prompted on a terminal (on stderr, so `--json` output stays one document) or
taken from `TUTELA_STAFF_PASSWORD`; `TUTELA_STAFF_TOKEN` (a staff API token)
signs in instead of a password, e.g. for scheduled jobs. The actor of
everything the command does is then `staff:<user id>` of that person.
Commands an operator runs as a job (ingest, intake, mail delivery, audit
verification) act as a `system:` actor and need none of this.
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from typing import Annotated

import click
import typer

from tutela.access.roles import Duty, Role
from tutela.auth.signin import AuthSettings, Principal
from tutela.auth.staff import (
    authenticate_staff,
    require_duty,
    require_purpose,
    require_role,
)
from tutela.config import Settings
from tutela.store import Store

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="E-mail address of the staff member acting (default $TUTELA_STAFF); "
        "the password is prompted, or read from $TUTELA_STAFF_PASSWORD; "
        "$TUTELA_STAFF_TOKEN (a staff API token) signs in instead.",
        show_default=False,
    ),
]


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else None


def signed_in_staff(
    store: Store,
    settings: Settings,
    as_email: str | None,
    *,
    roles: Collection[Role] | None = None,
    duty: Duty | None = None,
    purpose: str | None = None,
    action: str,
) -> Principal:
    """Sign the acting staff member in and check the role, duty or purpose `action` needs."""
    token = _secret(settings.staff_token)
    email = as_email or settings.staff
    password = _secret(settings.staff_password)
    if not token and email and password is None and sys.stdin.isatty():
        password = click.prompt("Staff password", hide_input=True, err=True)
    principal = authenticate_staff(
        store,
        email=email,
        password=password,
        token=token,
        rules=AuthSettings.from_settings(settings),
    )
    if roles is not None:
        require_role(principal, roles, action=action)
    if duty is not None:
        require_duty(principal, duty, action=action)
    if purpose is not None:
        require_purpose(principal, purpose, action=action, policy=store.policy())
    return principal


def privacy_officer(
    store: Store, settings: Settings, as_email: str | None, *, action: str
) -> Principal:
    """A signed-in privacy officer (access requests, policy, users, keys, retention)."""
    return signed_in_staff(
        store, settings, as_email, roles={Role.privacy_officer}, action=action
    )
