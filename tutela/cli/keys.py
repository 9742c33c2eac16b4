"""`tutela keys rotate`: a new primary field key, and every secret re-encrypted under it.

Clause: secure.measures. A privacy officer signs in (`--as EMAIL`,
`tutela.cli._staff`, the `administer` duty); the rotation is audited as that
person.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.access.roles import Duty
from tutela.audit.log import record
from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption, signed_in_staff
from tutela.store import open_store, rotate_keys

app = typer.Typer(help="Field-encryption keys.", no_args_is_help=True)


@app.command("rotate")
def rotate_command(
    data: DataOption = None,
    json: JsonOption = False,
    retire: Annotated[
        bool, typer.Option("--retire", help="Drop the old keys once nothing uses them.")
    ] = False,
    as_email: AsOption = None,
) -> None:
    """Add a new primary key and re-encrypt every encrypted field under it."""
    settings = settings_for(data)
    with open_store(settings) as store:
        staff = signed_in_staff(
            store, settings, as_email, duty=Duty.administer, action="rotate keys"
        )
        result = rotate_keys(store, retire_old=retire)
        record(
            store,
            actor=staff.actor.id,
            action="keys.rotated",
            details={"key_id": result.new_key_id, "values": result.values},
        )
    if json:
        emit_json(result.as_dict())
    else:
        stdout.print(
            f"new primary key {result.new_key_id}; re-encrypted {result.values} value(s) "
            f"in {len(result.columns)} column(s)",
            markup=False,
        )
