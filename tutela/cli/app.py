"""The root `tutela` app: names every command, loads only the one that runs.

Importing a command's module imports what it works with (the store,
SQLAlchemy, the policy, phone number data): seconds of start-up that
`tutela --help` or a mistyped command should not pay. So the root group
knows each command by name, by the short help `tutela --help` lists and by
where it lives (`COMMANDS`), and imports that module only when the command
runs or its own help is asked for: the pattern Click documents as a lazily
loading group. tests/test_cli_startup.py bounds how many modules
``import tutela.cli.app`` loads and checks each short help listed here
against the command's own.

Help is plain text (``rich_markup_mode=None``): the rich renderer alone
costs more start-up than everything else together.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import typer
from typer.core import TyperGroup


@dataclass(frozen=True)
class Lazy:
    """A command known by name and short help; ``load`` imports it."""

    help: str
    load: Callable[[], Any]


def _sub_app(module: str) -> Callable[[], typer.Typer]:
    """The Typer sub-app ``app`` of `module`."""

    def load() -> typer.Typer:
        found: typer.Typer = importlib.import_module(module).app
        return found

    return load


@cache
def _ingest_app() -> typer.Typer:
    # The web logs' ingest commands (weblog, adclicks) join the ingest sub-app.
    from tutela.cli import ingest, web

    web.register_ingest(ingest.app)
    return ingest.app


@cache
def _sar_app() -> typer.Typer:
    # Erasure and correction requests are decided among the other requests.
    from tutela.cli import sar, sar_erasure

    sar_erasure.register(sar.app)
    return sar.app


def _command(module: str, function: str) -> Callable[[], Callable[..., Any]]:
    """A command of its own: the function `function` of `module`."""

    def load() -> Callable[..., Any]:
        found: Callable[..., Any] = getattr(importlib.import_module(module), function)
        return found

    return load


# In the order of the policy: the policy itself, collect, use, disclose,
# secure, rights; then running the service.
COMMANDS: Final[dict[str, Lazy]] = {
    "policy": Lazy(
        "Check, render, trace, diff and publish the privacy policy.",
        _sub_app("tutela.cli.policy"),
    ),
    "accounts": Lazy(
        "Business accounts: close a customer's account.",
        _sub_app("tutela.cli.accounts"),
    ),
    "ingest": Lazy("Ingest data from the phone platform.", _ingest_app),
    "scan": Lazy(
        "Find personal data in free text; rebuild the store's mention index.",
        _sub_app("tutela.cli.scan"),
    ),
    "voicemail": Lazy("Voicemail: list and delete.", _sub_app("tutela.cli.voicemail")),
    "recordings": Lazy(
        "Call recordings: notices, recordings (refused without notice), listing.",
        _sub_app("tutela.cli.recordings"),
    ),
    "web": Lazy(
        "Website activity and ad clicks: reports and salt destruction.",
        _sub_app("tutela.cli.web"),
    ),
    "disclose": Lazy(
        "Check a disclosure against the policy and record it.",
        _command("tutela.cli.disclose", "disclose_command"),
    ),
    "ledger": Lazy(
        "List every disclosure decision about a person: who, when, why.",
        _command("tutela.cli.disclose", "ledger_command"),
    ),
    "audit": Lazy("The tamper-evident audit log.", _sub_app("tutela.cli.audit")),
    "keys": Lazy("Field-encryption keys.", _sub_app("tutela.cli.keys")),
    "users": Lazy(
        "Users who sign in: staff (console) and customers (portal, API).",
        _sub_app("tutela.cli.users"),
    ),
    "retention": Lazy(
        "Retention: delete what the policy's periods say is too old.",
        _sub_app("tutela.cli.retention"),
    ),
    "sar": Lazy(
        "Requests about personal data (access, erasure, correction): intake, verify, decide, export, erase, correct.",
        _sar_app,
    ),
    "inbox": Lazy(
        "The legal inbox: questions, near-miss requests, unsubscribes, quarantine.",
        _sub_app("tutela.cli.inbox"),
    ),
    "serve": Lazy(
        "Serve the staff console, public pages and API (default http://127.0.0.1:8000).",
        _command("tutela.cli.serve", "serve_command"),
    ),
    "demo": Lazy(
        "Build a realistic synthetic data set through the real ingest paths.",
        _command("tutela.cli.serve", "demo_command"),
    ),
    "worker": Lazy(
        "Deliver the outbox through TUTELA_SMTP_HOST, with retries and backoff.",
        _command("tutela.cli.worker", "worker_command"),
    ),
}

# Every module a command comes from (for a process that forks many commands
# and wants them imported once, before it forks).
COMMAND_MODULES: Final = (
    "tutela.cli.accounts",
    "tutela.cli.audit",
    "tutela.cli.disclose",
    "tutela.cli.inbox",
    "tutela.cli.ingest",
    "tutela.cli.keys",
    "tutela.cli.policy",
    "tutela.cli.recordings",
    "tutela.cli.retention",
    "tutela.cli.sar",
    "tutela.cli.sar_erasure",
    "tutela.cli.scan",
    "tutela.cli.serve",
    "tutela.cli.users",
    "tutela.cli.voicemail",
    "tutela.cli.web",
    "tutela.cli.worker",
)


def load_command(name: str) -> Any:
    """The Click command `name` of `COMMANDS`, its module imported."""
    loaded = COMMANDS[name].load()
    command: Any
    if isinstance(loaded, typer.Typer):
        # A group, as `add_typer` would make it (no completion options of its own).
        command = typer.main.get_group(loaded)
    else:
        holder = typer.Typer(rich_markup_mode=None)
        holder.command(name)(loaded)
        command = typer.main.get_group(holder).commands[name]
    command.name = name
    _plain_help(command)
    return command


def _plain_help(command: Any) -> None:
    # One look for all help: a sub-app's own default would bring rich back.
    command.rich_markup_mode = None
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


class LazyGroup(TyperGroup):
    """The root group: `COMMANDS` are listed from their short help, imported when used."""

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        extra = [name for name in self.commands if name not in COMMANDS]
        return [*COMMANDS, *extra]

    def get_command(  # type: ignore[override]
        self, ctx: typer.Context, cmd_name: str
    ) -> Any:
        found = self.commands.get(cmd_name)
        if found is not None and not isinstance(found, _Pending):
            return found
        if cmd_name not in COMMANDS:
            return None
        command = load_command(cmd_name)
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        # The list from `COMMANDS`' short help: nothing is imported for it.
        rows = [(name, lazy.help) for name, lazy in COMMANDS.items()]
        rows += [
            (name, command.get_short_help_str())
            for name, command in self.commands.items()
            if name not in COMMANDS and not command.hidden
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(  # type: ignore[override]
        self, ctx: typer.Context, args: list[str]
    ) -> tuple[str | None, Any, list[str]]:
        # A mistyped command is answered with the names it is close to.
        for name in COMMANDS:
            self.commands.setdefault(name, _Pending(name))
        try:
            return super().resolve_command(ctx, args)
        finally:
            for name in COMMANDS:
                if isinstance(self.commands.get(name), _Pending):
                    del self.commands[name]


class _Pending(typer.core.TyperCommand):
    """A name in `COMMANDS` not loaded yet (only while a command is resolved)."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name)


app = typer.Typer(
    name="tutela",
    help="Tutela: the privacy policy of a hosted business-phone provider, made executable.",
    cls=LazyGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("tutela")
        except PackageNotFoundError:  # run from a checkout that was never installed
            number = "unknown"
        typer.echo(f"tutela {number}")
        raise typer.Exit()


@app.callback()
def _every_command(
    ctx: typer.Context,
    show_version: bool = typer.Option(
        False,
        "--version",
        help="Print the installed version and exit.",
        is_eager=True,
        callback=_print_version,
    ),
) -> None:
    from tutela.cli import audit
    from tutela.cli._logging import start_logging

    start_logging(ctx.invoked_subcommand)
    # When the command ends, however it ends: sign what it appended to the
    # audit log, so no entry of a finished command is left unsigned.
    audit.start_command()
    ctx.call_on_close(audit.seal_audit_logs)


def main() -> None:
    """Console-script entry point."""
    from tutela.errors import TutelaError

    # Everything the command writes (database, keys, blobs, quarantine,
    # salts, demo sources) is for its owner only.
    os.umask(0o077)
    try:
        app(prog_name="tutela")
    except TutelaError as exc:
        from tutela.cli._output import report_error

        report_error(exc, as_json="--json" in sys.argv)
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        from tutela.cli._output import report_crash

        report_crash(
            exc,
            as_json="--json" in sys.argv,
            debug=os.environ.get("TUTELA_DEBUG", "") not in ("", "0"),
        )
        sys.exit(INTERNAL_ERROR)


# A bug, not bad input: distinct from 1 and 2 (sysexits' EX_SOFTWARE).
INTERNAL_ERROR = 70
