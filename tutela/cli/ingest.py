"""`tutela ingest cdr|voicemail`: bring switch data into the store.

Policy clauses collect.service_use.call_records (every call) and
collect.service_use.voicemail. Each command is one function registered on
the `ingest` sub-app; another source (``ingest weblog``) is one more function
that calls its collect function and hands the summary to `report_summary`.

Exit codes: 0 everything read was stored or already there, 1 some records
were rejected (see the quarantine file), 2 the input is unusable.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from tutela.cli._output import (
    DataOption,
    JsonOption,
    emit_json,
    settings_for,
    stderr,
    stdout,
)
from tutela.collect.cdr import FORMATS
from tutela.collect.cdr.ingest import CHUNK_ROWS, ingest_cdr
from tutela.collect.quarantine import IngestSummary
from tutela.collect.voicemail.sync import ingest_and_sync
from tutela.store import open_store

app = typer.Typer(help="Ingest data from the phone platform.", no_args_is_help=True)

AccountOption = Annotated[
    str | None,
    typer.Option(
        "--account",
        help="Ref of the account for records that no accountcode, number or "
        "spool context ties to an account.",
    ),
]


def report_summary(summary: IngestSummary, *, as_json: bool) -> None:
    """Print the run summary and exit 1 if anything was rejected."""
    if as_json:
        emit_json(summary.as_dict())
    else:
        extra = "".join(f", {v} {k}" for k, v in summary.extra.items())
        stdout.print(
            f"{summary.kind}: read {summary.read}, stored {summary.stored}, "
            f"duplicate {summary.duplicate}, rejected {summary.rejected}{extra}",
            markup=False,
        )
        if summary.quarantine is not None:
            stderr.print(f"rejected records: {summary.quarantine}", markup=False)
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)


@contextmanager
def _progress(path: Path, *, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar over the file's bytes, on a terminal only."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    columns = (BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr, transient=True) as bar:
        task = bar.add_task("ingest", total=path.stat().st_size)
        yield lambda done: bar.update(task, completed=done)


@app.command("cdr")
def cdr_command(
    file: Annotated[Path, typer.Argument(help="CDR file to read.", show_default=False)],
    format: Annotated[
        str,
        typer.Option("--format", help=f"Layout of the file: {', '.join(FORMATS)}."),
    ],
    tz: Annotated[
        str, typer.Option("--tz", help="Zone of times written without an offset.")
    ] = "UTC",
    account: AccountOption = None,
    region: Annotated[
        str,
        typer.Option(
            "--region", help="Country used to read numbers when no account is given."
        ),
    ] = "US",
    chunk_rows: Annotated[
        int,
        typer.Option(
            "--chunk-rows",
            min=1,
            help="Records per transaction: fewer hold the write lock for less time.",
        ),
    ] = CHUNK_ROWS,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=2,
            help="2: parse in a second process while this one stores; 1: one "
            "process. Default: 2 for a regular file of 1 MiB or more.",
            show_default=False,
        ),
    ] = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Ingest call detail records (Asterisk or FreeSWITCH)."""
    with open_store(settings_for(data)) as store:
        with _progress(file, quiet=json) as progress:
            summary = ingest_cdr(
                store,
                file,
                format=format,
                tz=tz,
                account_ref=account,
                region=region,
                progress=progress,
                chunk_rows=chunk_rows,
                workers=workers,
            )
    report_summary(summary, as_json=json)


@app.command("voicemail")
def voicemail_command(
    spool_dir: Annotated[
        Path,
        typer.Argument(help="app_voicemail spool directory.", show_default=False),
    ],
    account: AccountOption = None,
    allow_mass_deletion: Annotated[
        bool,
        typer.Option(
            "--allow-mass-deletion",
            help="Remove messages missing from the spool even when more than "
            "half of those held for the scanned mailboxes (and more than 10) "
            "are missing.",
        ),
    ] = False,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Ingest an Asterisk voicemail spool; audio is stored encrypted.

    Messages of a scanned mailbox that the spool no longer holds (the
    customer deleted them on the phone system) are then shredded here.
    """
    with open_store(settings_for(data)) as store:
        summary, sync = ingest_and_sync(
            store,
            spool_dir,
            account_ref=account,
            allow_mass_deletion=allow_mass_deletion,
        )
    if sync.refused and not json:
        stderr.print(f"voicemail sync refused: {sync.refused}", markup=False)
    report_summary(summary, as_json=json)
    if sync.refused:
        raise typer.Exit(1)
