"""The root `tutela` app: registers the sub-apps and translates errors to exit codes."""

from __future__ import annotations

import logging
import sys

import typer

from tutela.cli import keys, policy, serve
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
serve.register(app)


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
