"""`tutela --help` starts cheaply: the root app names every command and imports none.

Counted, not timed (machines are shared and noisy): the modules a fresh
interpreter loads for ``import tutela.cli.app`` and for ``tutela --help``.
Before the root group loaded its commands lazily, the import alone loaded
about a thousand modules (SQLAlchemy, pydantic, the phone number geodata,
every command's domain code) and took seconds of CPU; Typer itself loads
about 75.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tutela.cli.app import COMMAND_MODULES, COMMANDS, load_command

TUTELA = Path(sys.executable).parent / "tutela"
# Typer (about 75 modules) and the root app, with room for a new release
# of Typer; a command's domain code would be hundreds more.
MODULE_BOUND = 150
HEAVY = ("sqlalchemy", "pydantic", "phonenumbers", "fastapi", "rich", "alembic")

_COUNT = """
import json, sys
before = set(sys.modules)
{code}
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def _loaded(code: str) -> list[str]:
    """The modules a fresh interpreter loads to run `code`."""
    result = subprocess.run(
        [sys.executable, "-c", _COUNT.format(code=code)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[str] = json.loads(result.stdout.splitlines()[-1])
    return found


def test_importing_the_cli_loads_typer_and_the_root_app_only() -> None:
    loaded = _loaded("import tutela.cli.app")
    assert len(loaded) <= MODULE_BOUND, len(loaded)
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []
    assert {m for m in loaded if m.startswith("tutela")} == {
        "tutela",
        "tutela.cli",
        "tutela.cli.app",
    }


def test_the_help_lists_every_command_without_importing_one() -> None:
    code = (
        "import contextlib, io\n"
        "sys.argv = ['tutela', '--help']\n"
        "from tutela.cli.app import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.suppress(SystemExit):\n"
        "    main()\n"
    )
    loaded = _loaded(code)
    assert len(loaded) <= MODULE_BOUND, len(loaded)
    assert not set(COMMAND_MODULES) & set(loaded)
    help_text = subprocess.run(
        [str(TUTELA), "--help"], capture_output=True, text=True, check=True
    ).stdout
    listed = " ".join(help_text.split())
    for name, lazy in COMMANDS.items():
        assert f"{name} {lazy.help}" in listed, name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_is_listed_with_its_own_short_help(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert command.get_short_help_str(limit=500) == COMMANDS[name].help
    assert command.callback is None or command.callback.__module__ in {
        *COMMAND_MODULES,
        "tutela.cli.app",
    }


def test_a_command_runs_from_its_module_loaded_on_demand() -> None:
    result = subprocess.run(
        [str(TUTELA), "policy", "check", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"] is True


def test_a_mistyped_command_is_answered_with_the_names_it_is_close_to() -> None:
    result = subprocess.run(
        [str(TUTELA), "polcy"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "No such command 'polcy'" in result.stderr
    assert "Did you mean 'policy'?" in result.stderr
