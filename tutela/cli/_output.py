"""Shared CLI plumbing: options written once, the JSON envelope, error reporting."""

from __future__ import annotations

import datetime as dt
import json
import sys
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from tutela.config import Settings, load_settings
from tutela.errors import InvalidInput, TutelaError

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Data directory (SQLite database, keys, blobs). Default ./tutela-data "
        "or $TUTELA_DATA.",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout instead of text."),
]

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False, soft_wrap=True)


def settings_for(data: Path | None) -> Settings:
    settings = load_settings()
    if data is not None:
        settings = settings.model_copy(update={"data": data})
    return settings


def emit_json(payload: dict[str, Any], *, ok: bool = True) -> None:
    """Write the success/failure envelope shared with the web API."""
    sys.stdout.write(json.dumps({"ok": ok, **payload}, indent=2, default=str) + "\n")


def report_error(exc: TutelaError, *, as_json: bool) -> None:
    if as_json:
        emit_json(
            {"error": exc.message, "errors": exc.errors, "status": exc.status}, ok=False
        )
        return
    # The message is text, not markup: "<input> [since]: ..." must print whole.
    stderr.print(f"[bold red]Error:[/] {escape(exc.message)}", markup=True)
    for line in exc.errors[1:] if len(exc.errors) > 1 else []:
        stderr.print(f"  - {line}", markup=False)


def report_crash(exc: BaseException, *, as_json: bool, debug: bool) -> None:
    """Report an unexpected error without its message or traceback.

    An exception's text can carry the values it failed on (a name, an email
    address, a number), so only its type and where it was raised are shown;
    `TUTELA_DEBUG=1` shows the full traceback to whoever runs the command.
    """
    where = _raised_at(exc)
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    if as_json:
        emit_json(
            {
                "error": f"internal error ({type(exc).__name__})",
                "errors": [],
                "status": 500,
            },
            ok=False,
        )
        return
    stderr.print(
        f"Internal error: {type(exc).__name__} at {where}. Its details are not "
        "shown because they may contain personal data; run again with "
        "TUTELA_DEBUG=1 to see them.",
        markup=False,
    )


def _raised_at(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "an unknown place"
    last = frames[-1]
    module = Path(last.filename).name
    return f"{module}:{last.lineno} ({last.name})"


def parse_moment(text: str | None, option: str) -> dt.datetime | None:
    """An ISO 8601 date-time option; one without a zone is read as UTC."""
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("is not an ISO 8601 date-time", field=option) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
