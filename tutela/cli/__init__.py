"""The `tutela` command: a Typer app with one sub-app per noun of the policy.

Every reporting command takes `--json` (stdout then carries exactly one JSON
document, messages go to stderr). Exit codes: 0 done, 1 done with rejected
input or problems found, 2 unusable invocation or input, 70 an internal
error (reported by type and place only: its text may hold personal data).
"""

from tutela.cli.app import app, main

__all__ = ["app", "main"]
