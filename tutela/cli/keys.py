"""`tutela keys rotate`: a new primary field key, and every secret re-encrypted under it."""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.store.db import open_store
from tutela.store.rotation import rotate_keys

app = typer.Typer(help="Field-encryption keys.", no_args_is_help=True)


@app.command("rotate")
def rotate_command(
    data: DataOption = None,
    json: JsonOption = False,
    retire: Annotated[
        bool, typer.Option("--retire", help="Drop the old keys once nothing uses them.")
    ] = False,
) -> None:
    """Add a new primary key and re-encrypt every encrypted field under it."""
    with open_store(settings_for(data)) as store:
        result = rotate_keys(store, retire_old=retire)
    if json:
        emit_json(result.as_dict())
    else:
        stdout.print(
            f"new primary key {result.new_key_id}; re-encrypted {result.values} value(s) "
            f"in {len(result.columns)} column(s)",
            markup=False,
        )
