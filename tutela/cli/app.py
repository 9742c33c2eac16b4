"""The root `tutela` app: registers the sub-apps and translates errors to exit codes."""

from __future__ import annotations

import logging
import os
import sys

import typer

from tutela.cli import (
    accounts,
    audit,
    disclose,
    inbox,
    ingest,
    keys,
    policy,
    recordings,
    retention,
    sar,
    sar_erasure,
    scan,
    serve,
    users,
    voicemail,
    web,
    worker,
)
from tutela.cli._output import report_crash, report_error
from tutela.errors import TutelaError

app = typer.Typer(
    name="tutela",
    help="Tutela: the privacy policy of a hosted business-phone provider, made executable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


@app.callback()
def _every_command(ctx: typer.Context) -> None:
    # When the command ends, however it ends: sign what it appended to the
    # audit log, so no entry of a finished command is left unsigned.
    audit.start_command()
    ctx.call_on_close(audit.seal_audit_logs)


# In the order of the policy: the policy itself, collect, use, disclose, secure,
# rights; then running the service.
app.add_typer(policy.app, name="policy")
app.add_typer(accounts.app, name="accounts")
app.add_typer(ingest.app, name="ingest")
web.register_ingest(ingest.app)
app.add_typer(scan.app, name="scan")
app.add_typer(voicemail.app, name="voicemail")
app.add_typer(recordings.app, name="recordings")
app.add_typer(web.app, name="web")
disclose.register(app)
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(users.app, name="users")
app.add_typer(retention.app, name="retention")
sar_erasure.register(sar.app)
app.add_typer(sar.app, name="sar")
app.add_typer(inbox.app, name="inbox")
serve.register(app)
worker.register(app)


def main() -> None:
    """Console-script entry point."""
    # Everything the command writes (database, keys, blobs, quarantine,
    # salts, demo sources) is for its owner only.
    os.umask(0o077)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        app(prog_name="tutela")
    except TutelaError as exc:
        report_error(exc, as_json="--json" in sys.argv)
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        report_crash(
            exc,
            as_json="--json" in sys.argv,
            debug=os.environ.get("TUTELA_DEBUG", "") not in ("", "0"),
        )
        sys.exit(INTERNAL_ERROR)


# A bug, not bad input: distinct from 1 and 2 (sysexits' EX_SOFTWARE).
INTERNAL_ERROR = 70
