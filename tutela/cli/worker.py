"""`tutela worker`: deliver outbox mail (notices, acknowledgements) until stopped.

Clauses: changes.notice, changes.subscribe (see `tutela.mail.worker`).
Run as many as you like against one database; each message is sent once.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from tutela.audit.sealing import sealing_every
from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.mail import run_worker
from tutela.store import open_store


def worker_command(
    data: DataOption = None,
    json: JsonOption = False,
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="Send what is due now (retries included), then exit."
        ),
    ] = False,
    batch: Annotated[
        int,
        typer.Option(min=1, max=1000, help="Messages one round claims."),
    ] = 100,
) -> None:
    """Deliver the outbox through TUTELA_SMTP_HOST, with retries and backoff.

    Stops on Ctrl-C or SIGTERM after the message in hand; prints how many it
    sent and how many failed for good.
    """
    settings = settings_for(data)
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        # What delivery appends is signed and witnessed while the worker runs.
        with open_store(settings) as store, sealing_every(settings.audit_seal_seconds):
            try:
                report = run_worker(store, settings, stop=stop, once=once, batch=batch)
            except KeyboardInterrupt:
                stop.set()
                return
    finally:
        signal.signal(signal.SIGTERM, previous)
    if json:
        emit_json(report.as_dict())
    else:
        stdout.print(
            f"sent {report.sent}, failed {report.failed}, waiting {report.pending}",
            markup=False,
        )


def register(app: typer.Typer) -> None:
    app.command("worker")(worker_command)
