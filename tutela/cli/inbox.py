"""`tutela inbox list|show|route`: the legal inbox, the mail no heading routed.

Clauses: contact.questions, rights.access.request, changes.subscribe (see
`tutela.rights.inbox`). A privacy officer signs in (`--as EMAIL` or
`TUTELA_STAFF`, see `tutela.cli._staff`); reads go through the purpose gate
as that person (audited); `route` turns a message into an access
request (deadline from its arrival), a subscription, an unsubscribe, or
marks it handled. Exit codes: 0 done, 2 unusable invocation.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption, privacy_officer
from tutela.store import open_store

app = typer.Typer(
    help="The legal inbox: questions, near-miss requests, unsubscribes, quarantine.",
    no_args_is_help=True,
)

MessageArg = Annotated[
    int,
    typer.Argument(help="Message id (see `tutela inbox list`).", show_default=False),
]


@app.command("list")
def list_command(
    as_email: AsOption = None,
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

    settings = settings_for(data)
    with open_store(settings) as store:
        officer = privacy_officer(
            store, settings, as_email, action="read the legal inbox"
        )
        items = list_inbox(
            store,
            actor=officer.actor,
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
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """One message: sender, heading, why it is flagged, and its text."""
    from tutela.rights.inbox import show_message

    settings = settings_for(data)
    with open_store(settings) as store:
        officer = privacy_officer(
            store, settings, as_email, action="read the legal inbox"
        )
        item = show_message(store, message_id, actor=officer.actor)
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
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="access, erasure or correction (open a request of that kind, "
            "deadline from arrival), subscription, unsubscribe, or general "
            "(handled, nothing more to do).",
            show_default=False,
        ),
    ],
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Act on one message; audited under the signed-in officer."""
    from tutela.rights.inbox import route_message

    settings = settings_for(data)
    with open_store(settings) as store:
        officer = privacy_officer(store, settings, as_email, action="route inbox mail")
        outcome = route_message(
            store, message_id, to=to, actor=officer.actor, settings=settings
        )
        if settings.smtp_host:
            from tutela.mail import deliver

            deliver(store, settings)
    if json:
        emit_json({"routed": outcome.as_dict()})
        return
    case = f", case {outcome.case_id} {outcome.case_ref}" if outcome.case_id else ""
    stdout.print(f"message {outcome.message_id}: {outcome.to}{case}", markup=False)
