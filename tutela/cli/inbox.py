"""`tutela inbox list|show|route`: the legal inbox, the mail no heading routed.

Clauses: contact.questions, rights.access.request, changes.subscribe (see
`tutela.rights.inbox`). Reads go through the purpose gate as the staff
member named by `--staff` (audited); `route` turns a message into an access
request (deadline from its arrival), a subscription, an unsubscribe, or
marks it handled. Exit codes: 0 done, 2 unusable invocation.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.secure.roles import Role
from tutela.store.db import open_store
from tutela.use import Actor

app = typer.Typer(
    help="The legal inbox: questions, near-miss requests, unsubscribes, quarantine.",
    no_args_is_help=True,
)

MessageArg = Annotated[
    int,
    typer.Argument(help="Message id (see `tutela inbox list`).", show_default=False),
]
StaffOption = Annotated[
    int,
    typer.Option(
        "--staff",
        help="Your staff id (reads and actions are audited under it).",
        show_default=False,
    ),
]


def staff_actor(staff: int) -> Actor:
    """The acting staff member, as the other rights commands take it today.

    The legal inbox is the privacy officer's work (as the console's request
    queue is): until the CLI signs staff in, `--staff N` acts in that role.
    """
    return Actor(f"staff:{staff}", Role.privacy_officer)


@app.command("list")
def list_command(
    staff: StaffOption,
    data: DataOption = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Also messages already handled.")
    ] = False,
    quarantined: Annotated[
        bool, typer.Option("--quarantined", help="Only messages in quarantine.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Messages waiting for staff: probable access requests first, by deadline."""
    from tutela.rights.inbox import list_inbox

    with open_store(settings_for(data)) as store:
        items = list_inbox(
            store,
            actor=staff_actor(staff),
            include_handled=all_,
            quarantined=quarantined,
        )
    if json:
        emit_json({"messages": [i.as_dict() for i in items], "count": len(items)})
        return
    for i in items:
        due = f" due {i.due:%Y-%m-%d} {i.due_status or ''}" if i.due else ""
        done = " handled" if i.handled_at else ""
        stdout.print(
            f"{i.id:>6}  {i.received_at:%Y-%m-%d %H:%M}  {i.flag or '-':<15}"
            f" {i.sender or '-'}  {(i.subject or i.problem or '')[:60]}{due}{done}",
            markup=False,
        )


@app.command("show")
def show_command(
    message_id: MessageArg,
    staff: StaffOption,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """One message: sender, heading, why it is flagged, and its text."""
    from tutela.rights.inbox import show_message

    with open_store(settings_for(data)) as store:
        item = show_message(store, message_id, actor=staff_actor(staff))
    if json:
        emit_json({"message": item.as_dict()})
        return
    stdout.print(f"message {item.id} ({item.channel}, {item.size} bytes)", markup=False)
    stdout.print(f"  received {item.received_at:%Y-%m-%d %H:%M} UTC", markup=False)
    stdout.print(f"  from     {item.sender or '-'}", markup=False)
    stdout.print(f"  subject  {item.subject or '-'}", markup=False)
    if item.flag:
        stdout.print(f"  flag     {item.flag} {item.problem or ''}", markup=False)
    if item.due:
        stdout.print(
            f"  due      {item.due:%Y-%m-%d} ({item.due_status or 'handled'})",
            markup=False,
        )
    if item.auth_failures:
        stdout.print(
            f"  failed authentication: {', '.join(item.auth_failures)}", markup=False
        )
    if item.text:
        stdout.print("", markup=False)
        stdout.print(item.text, markup=False)


@app.command("route")
def route_command(
    message_id: MessageArg,
    staff: StaffOption,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="access (open a request, deadline from arrival), subscription, "
            "unsubscribe, or general (handled, nothing more to do).",
            show_default=False,
        ),
    ],
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Act on one message; audited under your staff id."""
    from tutela.rights.inbox import route_message

    settings = settings_for(data)
    with open_store(settings) as store:
        outcome = route_message(
            store, message_id, to=to, actor=staff_actor(staff), settings=settings
        )
        if settings.smtp_host:
            from tutela.changes.outbox import deliver

            deliver(store, settings)
    if json:
        emit_json({"routed": outcome.as_dict()})
        return
    case = f", case {outcome.case_id} {outcome.case_ref}" if outcome.case_id else ""
    stdout.print(f"message {outcome.message_id}: {outcome.to}{case}", markup=False)
