"""`tutela voicemail list|delete`: the customer's voicemail, kept until deleted.

Policy clause collect.service_use.voicemail: "Jive also stores customers' voice
mail messages until the customer deletes them." Deleting crypto-shreds the
audio (see `tutela.collect.ingest_voicemail.delete_voicemail`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.collect.ingest_cdr import find_owner
from tutela.collect.ingest_voicemail import delete_voicemail, voicemail_listing
from tutela.store.db import open_store

app = typer.Typer(help="Voicemail: list and delete.", no_args_is_help=True)

AccountOption = Annotated[
    str | None, typer.Option("--account", help="Ref of the account to act on.")
]


@app.command("list")
def list_command(
    account: AccountOption = None, data: DataOption = None, json: JsonOption = False
) -> None:
    """List stored voicemails (id, account, mailbox, folder, time, duration)."""
    with open_store(settings_for(data)) as store:
        owner = find_owner(store, account).id if account else None
        with store.session() as session:
            rows = voicemail_listing(session, account_id=owner)
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
    actor: Annotated[
        str,
        typer.Option("--actor", help="Who asked, for the audit log (surrogate id)."),
    ] = "system:cli",
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Delete a voicemail for good: its audio is shredded, its key destroyed."""
    with open_store(settings_for(data)) as store:
        owner = find_owner(store, account).id if account else None
        delete_voicemail(store, voicemail_id, actor=actor, account_id=owner)
    if json:
        emit_json({"deleted": voicemail_id})
    else:
        stdout.print(f"voicemail {voicemail_id} deleted; audio shredded", markup=False)
