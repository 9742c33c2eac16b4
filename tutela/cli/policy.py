"""`tutela policy check|render|trace`: the policy as data, checked against the code."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from tutela.cli._output import JsonOption, emit_json, settings_for, stderr, stdout
from tutela.policy.check import check as check_policy
from tutela.policy.loader import load_policy
from tutela.policy.render import render as render_policy
from tutela.policy.trace import trace as trace_policy
from tutela.policy.trace import unknown_clause_markers

app = typer.Typer(
    help="Check, render and trace the privacy policy.", no_args_is_help=True
)

PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="Policy file (default: the shipped policy or $TUTELA_POLICY_FILE).",
    ),
]
REPO = Path(__file__).resolve().parents[2]


def _policy_path(path: Path | None) -> Path:
    return path if path is not None else settings_for(None).policy_file


@app.command("check")
def check_command(policy: PolicyOption = None, json: JsonOption = False) -> None:
    """Validate the policy and the store's schema against it. Exit 1 on any problem."""
    from tutela.store.models import Base

    loaded = load_policy(_policy_path(policy))
    report = check_policy(loaded, Base.metadata)
    if json:
        emit_json(
            {
                "policy": loaded.id,
                "consistent": report.ok,
                "problems": report.problems,
                "warnings": report.warnings,
                "columns": report.columns,
                "personal_columns": report.personal_columns,
            },
            ok=report.ok,
        )
    else:
        for problem in report.problems:
            stdout.print(f"problem: {problem}", markup=False)
        for warning in report.warnings:
            stderr.print(f"warning: {warning}", markup=False)
        verdict = "consistent" if report.ok else f"{len(report.problems)} problem(s)"
        stdout.print(
            f"policy {loaded.id}: {verdict} ({report.columns} columns, "
            f"{report.personal_columns} personal)",
            markup=False,
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command("render")
def render_command(
    policy: PolicyOption = None,
    fmt: Annotated[str, typer.Option("--format", help="md or html.")] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file.")
    ] = None,
) -> None:
    """Print the human-readable policy, rebuilt from the data."""
    if fmt not in ("md", "html"):
        raise typer.BadParameter("use 'md' or 'html'", param_hint="--format")
    text = render_policy(
        load_policy(_policy_path(policy)), "md" if fmt == "md" else "html"
    )
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@app.command("trace")
def trace_command(
    policy: PolicyOption = None,
    json: JsonOption = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) when a clause has no test.")
    ] = False,
) -> None:
    """List each clause with the code that names it and the tests that prove it."""
    loaded = load_policy(_policy_path(policy))
    entries = trace_policy(loaded, code_dir=REPO / "tutela", tests_dir=REPO / "tests")
    unknown = unknown_clause_markers(loaded, REPO / "tests")
    untraced = [e.id for e in entries if not e.traced]
    failed = bool(unknown) or (strict and bool(untraced))
    if json:
        emit_json(
            {
                "policy": loaded.id,
                "clauses": [asdict(e) for e in entries],
                "untraced": untraced,
                "unknown_markers": unknown,
            },
            ok=not failed,
        )
    else:
        for e in entries:
            mark = "✔" if e.traced else "·"
            stdout.print(
                f"{mark} {e.id}  ({len(e.code)} code, {len(e.tests)} tests)",
                markup=False,
            )
            for test in e.tests:
                stdout.print(f"    test  {test}", markup=False)
            for module in e.code:
                stdout.print(f"    code  {module}", markup=False)
        for clause_id, tests in unknown.items():
            stderr.print(
                f"unknown clause {clause_id!r} marked on {', '.join(tests)}",
                markup=False,
            )
        stdout.print(
            f"{len(entries) - len(untraced)}/{len(entries)} clauses traced to tests",
            markup=False,
        )
        if untraced:
            stderr.print(
                f"warning: {len(untraced)} clause(s) have no test yet", markup=False
            )
    if failed:
        raise typer.Exit(1)
