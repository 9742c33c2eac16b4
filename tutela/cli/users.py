"""`tutela users ...`: who may sign in to the console and the portal, and as what.

Clauses: secure.measures, rights.access.verification. Passwords are read
from stdin (never from the command line, where other users and shell
history could see them) or generated and printed once; API tokens are
printed once and kept only as digests. `users list` never prints a hash or
a token.

Every command signs a privacy officer in (`--as EMAIL`, `tutela.cli._staff`;
the `administer` duty), and is audited as that person, except:

- the root of trust: while the deployment has never had a privacy officer,
  `users add --role privacy_officer` needs no sign-in; the second officer is
  added the same way by the first, signed in. Both are audited as
  `system:bootstrap` (`tutela.auth.officers`);
- after that, `users add --role privacy_officer` and `users role --role
  privacy_officer` only propose; a second, independent officer runs `users
  approve ID`. The new officer sets a password with the halves of the setup
  code the two officers were shown (`users set-password`, no sign-in);
- any staff member may issue or revoke their own API token (and only
  their own: a staff token lets its holder act as that person).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tutela.access.roles import Duty, Role
from tutela.auth import (
    ROOT_OFFICERS,
    AuthSettings,
    ProposalView,
    add_user,
    approve_proposal,
    bootstrap_officer,
    bootstrap_open,
    change_role,
    disable_by_email,
    generate_password,
    issue_api_token,
    list_proposals,
    list_users,
    propose_officer,
    reject_proposal,
    require_duty,
    revoke_api_tokens,
    set_password_with_setup,
    user_id_of,
)
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
ProposalId = Annotated[
    int,
    typer.Argument(min=1, max=2**62, help="Id of the proposal (`users proposals`)."),
]


def administrator(
    store: Store, settings: Settings, as_email: str | None, *, action: str
) -> str:
    """The actor id of the signed-in privacy officer who administers users."""
    staff = signed_in_staff(
        store, settings, as_email, duty=Duty.administer, action=action
    )
    return staff.actor.id


def _password(password_stdin: bool) -> tuple[str, str | None]:
    """The password from stdin's first line, or a generated one (also returned to show)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInput("no password on stdin", field="password")
        return password, None
    generated = generate_password()
    return generated, generated


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
            "random one is generated and printed once. Not for a proposed "
            "privacy officer, who sets their own.",
        ),
    ] = False,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Create a user; prints a generated password once unless --password-stdin.

    A privacy officer: the first two of a deployment are made by whoever
    runs this on the host without signing in (the root of trust, audited as
    system:bootstrap); the first officer cannot make the second. Every later
    one is only proposed: this prints the
    proposal's id and the first half of the new officer's setup code, and a
    second privacy officer runs `tutela users approve ID`.
    """
    settings = settings_for(data)
    with open_store(settings) as store:
        if role == Role.privacy_officer.value:
            _add_officer(store, settings, email, password_stdin, as_email, json)
            return
        actor = administrator(store, settings, as_email, action="add a user")
        password, generated = _password(password_stdin)
        user = add_user(
            store,
            email=email,
            role=role,
            person_id=person,
            password=password,
            actor=actor,
        )
    _added(user.id, user.role, user.as_dict(), generated, json)


def _added(
    user_id: int,
    role: str,
    user: dict[str, object],
    generated: str | None,
    json: bool,
) -> None:
    if json:
        payload: dict[str, object] = {"user": user}
        if generated is not None:
            payload["password"] = generated
        emit_json(payload)
        return
    stdout.print(f"user {user_id} added ({role})", markup=False)
    if generated is not None:
        stdout.print(f"password (shown once): {generated}", markup=False)


def _add_officer(
    store: Store,
    settings: Settings,
    email: str,
    password_stdin: bool,
    as_email: str | None,
    json: bool,
) -> None:
    """The root of trust's first two officers, or a proposal for a second officer."""
    room = bootstrap_open(store)
    if room:
        if room < ROOT_OFFICERS and (
            as_email or settings.staff or settings.staff_token
        ):
            # Made by a signed-in officer, the second would be theirs: the two
            # would be one person behind two accounts.
            raise InvalidInput(
                "the first two privacy officers are made by whoever runs `tutela "
                "users add` on the host, without signing in as an officer; the "
                "first officer cannot make the second",
                field="as",
            )
        password, generated = _password(password_stdin)
        user_id = bootstrap_officer(store, email=email, password=password)
        (user,) = [u for u in list_users(store) if u.id == user_id]
        _added(user.id, user.role, user.as_dict(), generated, json)
        return
    actor = administrator(store, settings, as_email, action="propose an officer")
    if password_stdin:
        raise InvalidInput(
            "a proposed privacy officer sets their own password with the two "
            "halves of the setup code (`tutela users set-password`)",
            field="password",
        )
    proposed = propose_officer(store, email=email, actor=actor)
    _proposed(proposed.proposal, proposed.setup_half, json)


def _proposed(view: ProposalView, half: str | None, json: bool) -> None:
    if json:
        emit_json({"proposal": view.as_dict(), "setup_half": half})
        return
    stdout.print(
        f"proposal {view.id} pending: a second privacy officer approves it with "
        f"`tutela users approve {view.id}`",
        markup=False,
    )
    if half is not None:
        stdout.print(
            f"setup code, first half (shown once; hand it to the new officer): {half}",
            markup=False,
        )


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
    (`TUTELA_STAFF_TOKEN`). A privacy officer issues customer users' tokens;
    a staff member's token only that staff member (whoever holds it acts as
    them). Any officer may revoke anyone's tokens.
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


@app.command("role")
def role_command(
    email: EmailOption,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="privacy_officer, support_agent, billing, engineering or auditor.",
        ),
    ],
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Give a staff user another role; to privacy_officer it is only proposed.

    Between the other staff roles, and from privacy officer down, the
    signed-in officer decides (never their own role, never the last
    officer). Raising someone to privacy officer prints a proposal's id for
    a second officer to approve (`tutela users approve ID`).
    """
    settings = settings_for(data)
    with open_store(settings) as store:
        actor = administrator(store, settings, as_email, action="change a role")
        changed = change_role(store, user_id_of(store, email), role, actor=actor)
    if changed.proposal is not None:
        _proposed(changed.proposal, None, json)
        return
    if json:
        emit_json({"user_id": changed.user_id, "role": changed.role})
    else:
        stdout.print(f"user {changed.user_id} is now {changed.role}", markup=False)


@app.command("proposals")
def proposals_command(
    as_email: AsOption = None, data: DataOption = None, json: JsonOption = False
) -> None:
    """List pending proposals (new privacy officers, roles raised to one)."""
    settings = settings_for(data)
    with open_store(settings) as store:
        administrator(store, settings, as_email, action="list proposals")
        found = list_proposals(store)
    if json:
        rows = [p.as_dict() for p in found]
        emit_json({"data": rows, "count": len(rows)})
        return
    for p in found:
        who = p.email if p.kind == "add" else f"user {p.user_id}"
        stdout.print(
            f"{p.id:>5}  {p.kind}  {who}  {p.role}  by user {p.proposed_by}  "
            f"until {p.expires_at:%Y-%m-%d %H:%M}",
            markup=False,
        )


@app.command("approve")
def approve_command(
    proposal: ProposalId,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Approve another officer's proposal, as a second, independent privacy officer.

    Not your own, nor one by an officer who created you, reset your password
    or gave you a role (or whom you did that to), nor in your own first
    TUTELA_OFFICER_APPROVAL_DAYS days as an officer. A new officer: prints
    the second half of their setup code, shown once.
    """
    settings = settings_for(data)
    with open_store(settings) as store:
        actor = administrator(store, settings, as_email, action="approve a proposal")
        done = approve_proposal(
            store,
            proposal,
            actor=actor,
            wait=AuthSettings.from_settings(settings).officer_approval_wait,
        )
    if json:
        emit_json(
            {
                "proposal": done.proposal.as_dict(),
                "user_id": done.user_id,
                "setup_half": done.setup_half,
            }
        )
        return
    stdout.print(
        f"proposal {proposal} approved: user {done.user_id} is a privacy officer",
        markup=False,
    )
    if done.setup_half is not None:
        stdout.print(
            f"setup code, second half (shown once; hand it to the new officer): "
            f"{done.setup_half}",
            markup=False,
        )
        stdout.print(
            "the new officer sets a password with both halves: "
            "tutela users set-password --email THEIR-ADDRESS",
            markup=False,
        )


@app.command("reject")
def reject_command(
    proposal: ProposalId,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Turn a pending proposal down (any privacy officer, the proposer included)."""
    settings = settings_for(data)
    with open_store(settings) as store:
        actor = administrator(store, settings, as_email, action="reject a proposal")
        view = reject_proposal(store, proposal, actor=actor)
    if json:
        emit_json({"proposal": view.as_dict()})
    else:
        stdout.print(f"proposal {view.id} rejected", markup=False)


@app.command("set-password")
def set_password_command(
    email: EmailOption,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """A new privacy officer chooses their password with both halves of the setup code.

    Reads three lines from stdin: the proposer's half, the approver's half,
    the new password. No sign-in: the two halves are the proof, and they
    work once, within 7 days of the approval.
    """
    lines = [sys.stdin.readline().rstrip("\r\n") for _ in range(3)]
    if not all(lines):
        raise InvalidInput(
            "give three lines on stdin: the first half of the setup code, the "
            "second half, the new password",
            field="stdin",
        )
    settings = settings_for(data)
    with open_store(settings) as store:
        user_id = set_password_with_setup(
            store, email=email, halves=(lines[0], lines[1]), password=lines[2]
        )
    if json:
        emit_json({"user_id": user_id})
    else:
        stdout.print(f"user {user_id} has a password; sign in", markup=False)
