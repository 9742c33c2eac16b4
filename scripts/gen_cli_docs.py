"""Write docs/cli.md from the CLI's own help (checked by tests/test_docs.py).

.venv/bin/python scripts/gen_cli_docs.py          # rewrite docs/cli.md
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from tutela.cli.app import app

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    # Typer vendors its own copy of Click, so test for shape, not class.
    # A group is asked for its commands (the root loads each one then).
    found = [(path, command)]
    if hasattr(command, "list_commands"):
        context = typer.Context(command)
        for name in sorted(command.list_commands(context)):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                found += _walk(sub, [*path, name])
    return found


def render() -> str:
    root = typer.main.get_command(app)
    lines = [
        "# CLI reference",
        "",
        "Generated from `tutela --help` by `scripts/gen_cli_docs.py`; do not edit by hand.",
        "Every reporting command takes `--json`; exit codes: 0 done, 1 done with",
        "rejected input or problems found, 2 unusable invocation or input.",
        "",
    ]
    for path, command in _walk(root, ["tutela"]):
        lines += [f"## `{' '.join(path)}`", ""]
        if command.help:
            lines += [command.help.strip(), ""]
        params = list(command.params)
        usage_bits = []
        for p in params:
            if p.param_type_name == "argument":
                usage_bits.append(str(p.name).upper())
        if hasattr(command, "commands"):
            usage_bits.append("COMMAND")
        lines += ["```", " ".join([*path, "[OPTIONS]", *usage_bits]), "```", ""]
        options = [
            p for p in params if p.param_type_name == "option" and p.name != "help"
        ]
        for option in options:
            flags = ", ".join(f"`{o}`" for o in option.opts)
            lines.append(f"- {flags}: {(option.help or '').strip()}")
        if options:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    DOCS.write_text(render(), encoding="utf-8")
    sys.stderr.write(f"wrote {DOCS}\n")
