"""Run the `tutela` command inside the test process, as its console script does.

`tutela(...)` calls `tutela.cli.app.main`, the console script's own entry
point (with its translation of errors into exit codes 0/1/2/70 and the
``--json`` error envelope), under click's `CliRunner` isolation: the
command gets its own argv, environment, stdin, stdout and stderr. A fresh
interpreter costs 2-3 s of CPU per command; this costs milliseconds.

What `main` changes for the whole process (the umask, the root logger) and
the working directory are put back afterwards, so one command cannot leak
into the next test.

A few tests still run the installed program in a process of its own,
because the process is what they prove: tests/test_cli.py (the help, an
exit code, `demo` then `serve`), tests/test_cli_recordings.py (a refusal's
exit code and messages), tests/store/test_file_modes.py (the umask),
tests/auth/test_password_cost.py (production hashing); the crash tests
(tests/faults) fork the real command line to kill it.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from tutela.cli.app import main


@dataclass(frozen=True)
class Ran:
    """How one in-process `tutela` command ended (named like `CompletedProcess`)."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def tutela(
    *args: str,
    env: Mapping[str, str | None] | None = None,
    clean_env: bool = False,
    cwd: Path | None = None,
    input: str | bytes | None = None,
) -> Ran:
    """Run ``tutela args`` here; `env` adds (or, with None, removes) variables.

    ``clean_env`` first removes every ``TUTELA_*`` variable, as a test that
    starts from a clean environment did with a subprocess.
    """
    overrides: dict[str, str | None] = {}
    if clean_env:
        overrides |= {k: None for k in os.environ if k.startswith("TUTELA_")}
    overrides |= dict(env or {})
    runner = CliRunner()
    saved_argv = sys.argv
    saved_umask = os.umask(0o077)
    os.umask(saved_umask)
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_cwd = Path.cwd()
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with runner.isolation(input=input, env=overrides) as (out, err, _mixed):
            sys.argv = ["tutela", *args]
            try:
                main()
            except SystemExit as exc:
                code = _exit_code(exc)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            stdout = out.getvalue().decode("utf-8", errors="replace")
            stderr = err.getvalue().decode("utf-8", errors="replace")
    finally:
        sys.argv = saved_argv
        os.umask(saved_umask)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        os.chdir(saved_cwd)
    return Ran(args=args, returncode=code, stdout=stdout, stderr=stderr)


def _exit_code(exc: SystemExit) -> int:
    """The process exit status `sys.exit(code)` would have given."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    sys.stderr.write(f"{exc.code}\n")  # what the interpreter prints, status 1
    return 1
