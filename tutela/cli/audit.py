"""`tutela audit verify|checkpoint`: check the tamper-evident audit log.

Clause: secure.measures. `verify` exits 0 when the chain and every signed
checkpoint hold, and 1 (naming the first bad entry) when they do not.
"""

from __future__ import annotations

import typer

from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.secure.audit import audit_log
from tutela.store.db import open_store

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify_command(data: DataOption = None, json: JsonOption = False) -> None:
    """Check the hash chain and the signed checkpoints. Exit 1 on the first bad entry."""
    with open_store(settings_for(data)) as store:
        report = audit_log(store).verify()
    if json:
        emit_json({"audit": report.as_dict()}, ok=report.ok)
    elif report.ok:
        stdout.print(
            f"audit log intact: {report.entries} entries, "
            f"{report.checkpoints} signed checkpoint(s)",
            markup=False,
        )
    else:
        stdout.print(
            f"audit log TAMPERED: first bad entry {report.first_bad_seq}: "
            f"{report.problem}",
            markup=False,
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint_command(data: DataOption = None, json: JsonOption = False) -> None:
    """Sign the current head of the chain now (also done every 1000 entries)."""
    with open_store(settings_for(data)) as store:
        checkpoint = audit_log(store).checkpoint()
    if json:
        emit_json(
            {
                "checkpoint": None
                if checkpoint is None
                else {
                    "seq": checkpoint.seq,
                    "hash": checkpoint.hash,
                    "at": checkpoint.at,
                    "key_id": checkpoint.key_id,
                }
            }
        )
    elif checkpoint is None:
        stdout.print("audit log is empty: nothing to sign", markup=False)
    else:
        stdout.print(
            f"signed entry {checkpoint.seq} ({checkpoint.hash[:16]}…) "
            f"with key {checkpoint.key_id}",
            markup=False,
        )
