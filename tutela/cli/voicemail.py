"""`tutela voicemail list|delete`: the customer's voicemail, kept until deleted.

Policy clause collect.service_use.voicemail: "Jive also stores customers' voice
mail messages until the customer deletes them." Deleting crypto-shreds the
audio (see `tutela.collect.voicemail.ingest.delete_voicemail`). Both commands
sign a real staff member in (`--as EMAIL`, `tutela.cli._staff`): listing
needs a role that may use data for `deliver_services` and reads through the
purpose gate (`tutela.access.reads.voicemail`: one `use.grant` audit entry
per listing, as that person); deleting (done for a
customer who asked) one that may `respond_to_requests`, and is audited as
that person (`staff:<user id>`). Customers delete their own from the portal.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.access import access
from tutela.access.reads import voicemail_listing
from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption, signed_in_staff
from tutela.collect.cdr.ingest import find_owner
from tutela.collect.voicemail.ingest import delete_voicemail
from tutela.store import open_store

app = typer.Typer(help="Voicemail: list and delete.", no_args_is_help=True)

AccountOption = Annotated[
    str | None, typer.Option("--account", help="Ref of the account to act on.")
]


@app.command("list")
def list_command(
    account: AccountOption = None,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """List stored voicemails (id, account, mailbox, folder, time, duration)."""
    settings = settings_for(data)
    with open_store(settings) as store:
        staff = signed_in_staff(
            store,
            settings,
            as_email,
            purpose="deliver_services",
            action="list voicemail",
        )
        owner = find_owner(store, account, actor=staff.actor).id if account else None
        with access(store, actor=staff.actor, purpose="deliver_services") as use:
            rows = voicemail_listing(use, account_id=owner)
    if json:
        emit_json({"data": rows, "count": len(rows)})
        return
    for row in rows:
        stdout.print(
            f"{row['id']:>6}  {row['account']}  {row['mailbox']}  {row['folder']}  "
            f"{row['received_at']}  {row['duration_s']}s",
            markup=False,
        )


@app.command("delete")
def delete_command(
    voicemail_id: Annotated[
        int, typer.Argument(help="Id of the voicemail (see `voicemail list`).")
    ],
    account: AccountOption = None,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Delete a voicemail for good (for a customer who asked): audio shredded."""
    settings = settings_for(data)
    with open_store(settings) as store:
        staff = signed_in_staff(
            store,
            settings,
            as_email,
            purpose="respond_to_requests",
            action="delete voicemail for a customer",
        )
        owner = (
            find_owner(
                store, account, actor=staff.actor, purpose="respond_to_requests"
            ).id
            if account
            else None
        )
        delete_voicemail(store, voicemail_id, actor=staff.actor.id, account_id=owner)
    if json:
        emit_json({"deleted": voicemail_id})
    else:
        stdout.print(f"voicemail {voicemail_id} deleted; audio shredded", markup=False)
