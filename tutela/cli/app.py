"""The root `tutela` app: registers the sub-apps and translates errors to exit codes."""

from __future__ import annotations

import logging
import sys

import typer

from tutela.cli import audit, disclose, keys, policy, serve
from tutela.cli import ingest as ingest_cli
from tutela.cli import sar as sar_cli
from tutela.cli import scan as scan_cli
from tutela.cli import users as users_cli
from tutela.cli import voicemail as voicemail_cli
from tutela.cli import web as web_cli
from tutela.cli._output import report_error
from tutela.errors import TutelaError

app = typer.Typer(
    name="tutela",
    help="Tutela: the privacy policy of a hosted business-phone provider, made executable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.add_typer(policy.app, name="policy")
app.add_typer(keys.app, name="keys")
app.add_typer(web_cli.app, name="web")
app.add_typer(ingest_cli.app, name="ingest")
web_cli.register_ingest(ingest_cli.app)
app.add_typer(voicemail_cli.app, name="voicemail")
app.add_typer(scan_cli.app, name="scan")
serve.register(app)
app.add_typer(audit.app, name="audit")
disclose.register(app)
app.add_typer(sar_cli.app, name="sar")
app.add_typer(users_cli.app, name="users")


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        app(prog_name="tutela")
    except TutelaError as exc:
        report_error(exc, as_json="--json" in sys.argv)
        sys.exit(exc.exit_code)
