"""`tutela users add|list|token|disable`: who may sign in to the console and the portal.

Clause: secure.measures. Passwords are read from stdin (never from the
command line, where other users and shell history could see them) or
generated and printed once; API tokens are printed once and kept only as
digests. `users list` never prints a hash or a token.

Every command signs a privacy officer in (`--as EMAIL`, `tutela.cli._staff`;
the `administer` duty), and is audited as that person. Two exceptions: while
no privacy officer can sign in, `users add --role privacy_officer` needs no
sign-in (the first officer of a new deployment, audited as
`system:bootstrap`); and any staff member may issue or revoke their own API
token.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tutela.access.roles import Duty, Role
from tutela.auth.passwords import generate_password
from tutela.auth.signin import (
    AuthSettings,
    add_user,
    issue_api_token,
    list_users,
    revoke_api_tokens,
)
from tutela.auth.staff import has_active_officer, require_duty
from tutela.auth.user_admin import disable_by_email
from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption, signed_in_staff
from tutela.config import Settings
from tutela.errors import InvalidInput
from tutela.store import Store, normalize_email, open_store

app = typer.Typer(
    help="Users who sign in: staff (console) and customers (portal, API).",
    no_args_is_help=True,
)

EmailOption = Annotated[
    str, typer.Option("--email", help="The user's e-mail address (sign-in name).")
]
BOOTSTRAP = "system:bootstrap"


def administrator(
    store: Store, settings: Settings, as_email: str | None, *, action: str
) -> str:
    """The actor id of the signed-in privacy officer who administers users."""
    staff = signed_in_staff(
        store, settings, as_email, duty=Duty.administer, action=action
    )
    return staff.actor.id


@app.command("add")
def add_command(
    email: EmailOption,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="privacy_officer, support_agent, billing, engineering, auditor, "
            "customer_admin or end_user.",
        ),
    ],
    person: Annotated[
        int | None,
        typer.Option(
            "--person", help="Id of the customer's person (customer roles only)."
        ),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of stdin; otherwise a "
            "random one is generated and printed once.",
        ),
    ] = False,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Create a user; prints a generated password once unless --password-stdin.

    The first privacy officer of a deployment needs no sign-in; everyone
    after is added by a signed-in privacy officer.
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInput("no password on stdin", field="password")
        generated = None
    else:
        password = generated = generate_password()
    settings = settings_for(data)
    with open_store(settings) as store:
        first = role == Role.privacy_officer.value and not has_active_officer(store)
        actor = (
            BOOTSTRAP
            if first
            else administrator(store, settings, as_email, action="add a user")
        )
        user = add_user(
            store,
            email=email,
            role=role,
            person_id=person,
            password=password,
            actor=actor,
        )
    if json:
        payload: dict[str, object] = {"user": user.as_dict()}
        if generated is not None:
            payload["password"] = generated
        emit_json(payload)
        return
    stdout.print(f"user {user.id} added ({user.role})", markup=False)
    if generated is not None:
        stdout.print(f"password (shown once): {generated}", markup=False)


@app.command("list")
def list_command(
    as_email: AsOption = None, data: DataOption = None, json: JsonOption = False
) -> None:
    """List users: id, e-mail, role, account, person, live sessions and tokens."""
    settings = settings_for(data)
    with open_store(settings) as store:
        administrator(store, settings, as_email, action="list users")
        users = list_users(store)
    if json:
        rows = [u.as_dict() for u in users]
        emit_json({"data": rows, "count": len(rows)})
        return
    for u in users:
        where = f"account {u.account_id} person {u.person_id}" if u.person_id else "-"
        state = "disabled" if u.disabled else "active"
        stdout.print(
            f"{u.id:>5}  {u.email}  {u.role}  {where}  {state}  "
            f"sessions={u.active_sessions} tokens={u.active_tokens}",
            markup=False,
        )


@app.command("token")
def token_command(
    email: EmailOption,
    revoke: Annotated[
        bool,
        typer.Option("--revoke", help="Revoke all of the user's tokens instead."),
    ] = False,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Issue an API bearer token; printed once, never again.

    A customer user's token opens the API; a staff member's signs the CLI in
    (`TUTELA_STAFF_TOKEN`). A privacy officer issues tokens for anyone; any
    staff member for themselves.
    """
    settings = settings_for(data)
    with open_store(settings) as store:
        me = signed_in_staff(store, settings, as_email, action="issue a token")
        if me.email != normalize_email(email):
            require_duty(me, Duty.administer, action="issue a token for someone else")
        if revoke:
            count = revoke_api_tokens(store, email=email, actor=me.actor.id)
        else:
            token = issue_api_token(
                store,
                email=email,
                rules=AuthSettings.from_settings(settings),
                actor=me.actor.id,
            )
    if revoke:
        if json:
            emit_json({"revoked": count})
        else:
            stdout.print(f"{count} token(s) revoked", markup=False)
        return
    if json:
        emit_json({"token": token, "days": settings.api_token_days})
    else:
        stdout.print(token, markup=False)


@app.command("disable")
def disable_command(
    email: EmailOption,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Disable a user: sign-in refused, sessions and API tokens ended now.

    As in the console, nobody disables themselves or the last privacy officer
    who can sign in.
    """
    settings = settings_for(data)
    with open_store(settings) as store:
        actor = administrator(store, settings, as_email, action="disable a user")
        user_id = disable_by_email(store, email, actor=actor)
    if json:
        emit_json({"disabled": user_id})
    else:
        stdout.print(f"user {user_id} disabled", markup=False)
