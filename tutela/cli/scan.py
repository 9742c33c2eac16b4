"""`tutela scan text|rebuild`: personal data in free text, for operators.

Policy clauses collect.volunteered, collect.volunteered.channels and
collect.volunteered.uncontrolled (chats, emails and tickets hold whatever a
person typed), and rights.access (the mention index finds a subject's data).

`scan text` runs the detectors over files (or standard input) and prints
what they found, matched text included: showing it to the operator who
asked is the point of the command. Nothing is logged but counts. Files that
are not UTF-8, too large or unreadable are reported one by one and the rest
are still scanned (exit 1). `scan rebuild` (or `scan --rebuild`) rebuilds the
store's mention index and masks any card number still whole in a stored
message.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import phonenumbers
import typer

from tutela.cli._output import (
    DataOption,
    JsonOption,
    emit_json,
    settings_for,
    stderr,
    stdout,
)
from tutela.collect.detect import DEFAULT_REGIONS, Detection, scan

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1000 * 1000
STDIN = "-"

app = typer.Typer(
    help="Find personal data in free text; rebuild the store's mention index.",
    invoke_without_command=True,
)


class Rejected(Exception):
    """A file that cannot be scanned; the message names no content."""


def _read(name: str, stream: BinaryIO | None = None) -> str:
    """The UTF-8 text of file `name` (or of `stream`), or Rejected saying why."""
    try:
        if stream is None:
            path = Path(name)
            if path.is_dir():
                raise Rejected("is a directory, not a file")
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise Rejected(
                    f"is {size} bytes; the limit is {MAX_FILE_BYTES} (10 MB): "
                    "split it into smaller files"
                )
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        else:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise Rejected("does not exist") from None
    except PermissionError:
        raise Rejected("cannot be read (permission denied)") from None
    except OSError as exc:
        raise Rejected(f"cannot be read ({exc.strerror or 'I/O error'})") from None
    if len(data) > MAX_FILE_BYTES:
        raise Rejected(f"is larger than {MAX_FILE_BYTES} bytes (10 MB): split it")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(
            f"is not UTF-8 text (invalid byte at offset {exc.start}); "
            "convert it to UTF-8 first"
        ) from None


def _regions(given: list[str] | None) -> tuple[str, ...]:
    supported = phonenumbers.SUPPORTED_REGIONS
    chosen: list[str] = []
    for region in given or []:
        code = region.strip().upper()
        if code not in supported:
            raise typer.BadParameter(
                f"{region!r} is not a two-letter region phonenumbers knows "
                "(e.g. US, CA, GB)",
                param_hint="--region",
            )
        if code not in chosen:
            chosen.append(code)
    return (*chosen, *(r for r in DEFAULT_REGIONS if r not in chosen))


def _as_dict(detection: Detection) -> dict[str, Any]:
    return {
        "kind": detection.kind,
        "start": detection.start,
        "end": detection.end,
        "text": detection.text,
        "value": detection.value,
    }


@app.callback()
def scan_group(
    ctx: typer.Context,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild", help="Same as `tutela scan rebuild` (takes --data, --json)."
        ),
    ] = False,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Find personal data in free text; rebuild the store's mention index."""
    if ctx.invoked_subcommand is not None:
        if rebuild or data is not None or json:
            raise typer.BadParameter(
                "--rebuild, --data and --json go after the command name here",
                param_hint="--rebuild",
            )
        return
    if not rebuild:
        stdout.print(ctx.get_help(), markup=False)
        raise typer.Exit(2)
    rebuild_command(data=data, json=json)


@app.command("text")
def text_command(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files to scan; none or '-' reads standard input.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region",
            help="Country (ISO code) whose phone formats to read first; repeat "
            f"for several. The defaults follow: {', '.join(DEFAULT_REGIONS)}.",
            show_default=False,
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Print the personal data found in each file: kind, offsets, text, value.

    Offsets are character positions in the file's text. Values are normalised
    (E.164 phones, lower-case emails, card digits). Exit 1 when a file was
    rejected (not UTF-8, over 10 MB, unreadable); the others are still scanned.
    """
    regions = _regions(region)
    names = files or [STDIN]
    if STDIN in names and sys.stdin.isatty():
        raise typer.BadParameter(
            "no FILE given and standard input is a terminal: name a file or "
            "pipe text in",
            param_hint="FILE",
        )
    results: list[dict[str, Any]] = []
    rejected = found = 0
    for name in names:
        try:
            stream = sys.stdin.buffer if name == STDIN else None
            text = _read(name, stream)
        except Rejected as exc:
            rejected += 1
            results.append({"file": name, "ok": False, "error": str(exc)})
            if not json:
                stderr.print(f"Error: {name}: {exc}", markup=False)
            continue
        detections = scan(text, regions=regions)
        found += len(detections)
        results.append(
            {"file": name, "ok": True, "detections": [_as_dict(d) for d in detections]}
        )
        if not json:
            stdout.print(f"{name}: {len(detections)} found", markup=False)
            for d in detections:
                stdout.print(
                    f"  {d.kind:<6} {d.start:>7}-{d.end:<7} {d.value}  {d.text!r}",
                    markup=False,
                )
    log.info(
        "scan.text files=%d rejected=%d detections=%d", len(names), rejected, found
    )
    if json:
        emit_json({"files": results, "rejected": rejected, "detections": found})
    if rejected:
        raise typer.Exit(1)


@app.command("rebuild")
def rebuild_command(data: DataOption = None, json: JsonOption = False) -> None:
    """Rebuild the mention index of every stored communication.

    Also masks any card number still whole in a stored message (from before
    masking on ingest). One transaction: on any error nothing changes.
    """
    from tutela.collect.communications.mentions import rebuild_index
    from tutela.store import open_store

    with open_store(settings_for(data)) as store:
        with store.session() as session:
            summary = rebuild_index(session)
    if json:
        emit_json(summary.as_dict())
    else:
        stdout.print(
            f"mention index rebuilt: {summary.accounts} accounts, "
            f"{summary.communications} communications, {summary.mentions} "
            f"mentions, {summary.masked_communications} messages masked",
            markup=False,
        )
