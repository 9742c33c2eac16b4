"""`tutela policy check|render|trace|diff|publish|versions`: the policy as data.

`check`, `render` and `trace` hold the code to the policy; `diff`, `publish`
and `versions` handle changes to it (changes.may_change, changes.notice,
changes.effective_on_publication; see docs/changes.md).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from tutela.cli._output import (
    DataOption,
    JsonOption,
    emit_json,
    parse_moment,
    settings_for,
    stderr,
    stdout,
)
from tutela.cli._staff import AsOption
from tutela.conformance.check import check as check_policy
from tutela.conformance.trace import trace as trace_policy
from tutela.conformance.trace import unknown_clause_markers
from tutela.errors import InvalidInput
from tutela.policy import load_policy
from tutela.policy import render as render_policy

app = typer.Typer(
    help="Check, render, trace, diff and publish the privacy policy.",
    no_args_is_help=True,
)

PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="Policy file (default: the shipped policy or $TUTELA_POLICY_FILE).",
    ),
]
# The installed package (a checkout's `tutela/` or site-packages' `tutela/`).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
TestsOption = Annotated[
    Path | None,
    typer.Option(
        "--tests",
        help="Directory of the tests to read for clause marks (default: tests/ "
        "of the source checkout; an installed package has none).",
        show_default=False,
    ),
]


def _policy_path(path: Path | None) -> Path:
    return path if path is not None else settings_for(None).policy_file


def checkout_tests() -> Path | None:
    """The tests of the source checkout this package runs from, if it runs from one.

    A wheel installs no tests; site-packages may hold another project's
    `tests/`, so a directory counts only beside this project's pyproject.toml.
    """
    repo = PACKAGE_DIR.parent
    pyproject = repo / "pyproject.toml"
    tests = repo / "tests"
    if not (pyproject.is_file() and (tests / "conftest.py").is_file()):
        return None
    if 'name = "tutela"' not in pyproject.read_text(encoding="utf-8"):
        return None
    return tests


def _tests_dir(option: Path | None) -> Path:
    tests = option if option is not None else checkout_tests()
    if tests is None or not tests.is_dir():
        raise InvalidInput(
            "no tests to read: an installed package ships none; run the trace in "
            "a source checkout or give its tests directory",
            field="--tests",
        )
    return tests


@app.command("check")
def check_command(policy: PolicyOption = None, json: JsonOption = False) -> None:
    """Validate the policy, and the store's schema and the code against it.

    Exit 1 on any problem: a column the policy does not name, a purpose the
    code or a role names that the policy does not declare, and the rest of
    docs/policy.md#checks.
    """
    from tutela.access.roles import SUBJECT_ACCESS, undeclared_grants
    from tutela.conformance.code_purposes import purpose_problems
    from tutela.store.models import Base

    loaded = load_policy(_policy_path(policy))
    report = check_policy(loaded, Base.metadata)
    report.problems += purpose_problems(
        loaded, PACKAGE_DIR, also_declared={SUBJECT_ACCESS}
    )
    report.problems += undeclared_grants(loaded)
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
        bool,
        typer.Option(
            "--strict",
            help="Fail (exit 1) when a clause has no test, except the clauses "
            "that are prose by nature (listed with their reason).",
        ),
    ] = False,
    tests: TestsOption = None,
) -> None:
    """List each clause with the code that names it and the tests that prove it.

    The tests are read from the source checkout (exit 2 when there is none).
    """
    loaded = load_policy(_policy_path(policy))
    tests_dir = _tests_dir(tests)
    entries = trace_policy(loaded, code_dir=PACKAGE_DIR, tests_dir=tests_dir)
    unknown = unknown_clause_markers(loaded, tests_dir)
    untraced = [e.id for e in entries if not e.traced and e.prose is None]
    prose = [e.id for e in entries if not e.traced and e.prose is not None]
    failed = bool(unknown) or (strict and bool(untraced))
    if json:
        emit_json(
            {
                "policy": loaded.id,
                "clauses": [asdict(e) for e in entries],
                "untraced": untraced,
                "prose": prose,
                "unknown_markers": unknown,
            },
            ok=not failed,
        )
    else:
        for e in entries:
            mark = "✔" if e.traced else "-" if e.prose else "·"
            stdout.print(
                f"{mark} {e.id}  ({len(e.code)} code, {len(e.tests)} tests)",
                markup=False,
            )
            if e.prose and not e.traced:
                stdout.print(f"    prose {e.prose}", markup=False)
            for test in e.tests:
                stdout.print(f"    test  {test}", markup=False)
            for module in e.code:
                stdout.print(f"    code  {module}", markup=False)
        for clause_id, marked in unknown.items():
            stderr.print(
                f"unknown clause {clause_id!r} marked on {', '.join(marked)}",
                markup=False,
            )
        traced = len(entries) - len(untraced) - len(prose)
        stdout.print(
            f"{traced}/{len(entries)} clauses traced to tests, "
            f"{len(prose)} prose by nature",
            markup=False,
        )
        if untraced:
            stderr.print(
                f"warning: {len(untraced)} clause(s) have no test yet", markup=False
            )
    if failed:
        raise typer.Exit(1)


PolicyFileArg = Annotated[
    Path, typer.Argument(help="A policy file (YAML).", show_default=False)
]


@app.command("diff")
def diff_command(
    old: PolicyFileArg, new: PolicyFileArg, json: JsonOption = False
) -> None:
    """Semantic diff of two policy files, each change marked material or not.

    Exit 0 when they say the same, 1 when they differ, 2 when a file is unusable.
    """
    from tutela.changes.diff import diff_policies

    before, after = load_policy(old), load_policy(new)
    changes = diff_policies(before, after)
    material = [c for c in changes if c.material]
    if json:
        emit_json(
            {
                "old": before.id,
                "new": after.id,
                "identical": not changes,
                "material": bool(material),
                "changes": [c.as_dict() for c in changes],
            }
        )
    else:
        for change in changes:
            mark = "material" if change.material else "other"
            stdout.print(
                f"[{mark}] {change.kind.value} {change.subject}: {change.sentence}",
                markup=False,
            )
        stdout.print(
            f"{before.id} -> {after.id}: {len(changes)} change(s), "
            f"{len(material)} material",
            markup=False,
        )
    if changes:
        raise typer.Exit(1)


@app.command("publish")
def publish_command(
    file: PolicyFileArg,
    effective_at: Annotated[
        str | None,
        typer.Option(
            "--effective-at",
            help="When the version takes effect (ISO 8601, UTC if no offset; "
            "not before now). Default: as the policy's change procedure says.",
            show_default=False,
        ),
    ] = None,
    policy_url: Annotated[
        str | None,
        typer.Option(
            "--policy-url",
            help="Where the announcement tells subscribers to read the policy "
            "(default: /policy under TUTELA_PUBLIC_URL, else http://HOST:PORT).",
            show_default=False,
        ),
    ] = None,
    as_email: AsOption = None,
    data: DataOption = None,
    json: JsonOption = False,
) -> None:
    """Publish a policy file as a new version and e-mail its changes to subscribers.

    A privacy officer signs in (`--as EMAIL`) and is recorded as the
    publisher. Refused (exit 1) if the file fails `tutela policy check` or its
    id is already published with other content; the same file again is a no-op.
    """
    from tutela.changes.publish import publish_policy
    from tutela.cli._staff import privacy_officer
    from tutela.mail import deliver
    from tutela.store import open_store

    settings = settings_for(data)
    when = parse_moment(effective_at, "effective_at")
    delivery = None
    with open_store(settings) as store:
        officer = privacy_officer(store, settings, as_email, action="publish a policy")
        result = publish_policy(
            store,
            file,
            sender=settings.mail_from,
            policy_url=policy_url or settings.public_link("/policy"),
            actor=officer.actor.id,
            effective_at=when,
        )
        if settings.smtp_host and result.version.announcements:
            delivery = deliver(store, settings)
    if json:
        emit_json(
            result.as_dict()
            | {"delivery": delivery.as_dict() if delivery is not None else None}
        )
        return
    version = result.version
    if result.status == "already_published":
        stdout.print(
            f"version {version.version} already published on "
            f"{version.published_at:%Y-%m-%d %H:%M} UTC; nothing to do",
            markup=False,
        )
        return
    stdout.print(
        f"published version {version.version}, effective "
        f"{version.effective_at:%Y-%m-%d %H:%M} UTC: {len(version.changes)} "
        f"change(s) since {version.previous_version or 'none (first version)'}, "
        f"{version.material_changes} material; "
        f"{version.announcements} announcement(s) queued",
        markup=False,
    )
    if delivery is not None:
        stdout.print(
            f"sent {delivery.sent}, failed {delivery.failed}, "
            f"pending {delivery.pending} (`tutela sar deliver` sends the rest)",
            markup=False,
        )


@app.command("versions")
def versions_command(data: DataOption = None, json: JsonOption = False) -> None:
    """List the published versions of the policy, oldest first."""
    from tutela.changes.versions import published_versions
    from tutela.store import open_store

    with open_store(settings_for(data)) as store, store.session() as session:
        versions = published_versions(session)
    if json:
        emit_json({"versions": [v.as_dict() for v in versions]})
        return
    for v in versions:
        stdout.print(
            f"{v.id:>4}  {v.version}  published {v.published_at:%Y-%m-%d %H:%M} UTC, "
            f"effective {v.effective_at:%Y-%m-%d %H:%M} UTC  "
            f"{len(v.changes)} change(s), {v.material_changes} material, "
            f"{v.announcements} announcement(s)  sha256 {v.sha256[:12]}",
            markup=False,
        )
    stdout.print(f"{len(versions)} published version(s)", markup=False)
