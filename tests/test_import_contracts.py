"""The layers of docs/architecture.md hold, and the contract that says so bites.

Clause: use.purposes (the purpose gate is only the one read path if nothing
above it can be reached around it: the layers keep `tutela.access` below
every package that reads personal data, and `make lint` runs `lint-imports`).

The contract lives in `pyproject.toml` (`[tool.importlinter]`). These tests run
the real `lint-imports` on the real package, then on a copy with a planted
upward import, a planted import between siblings of one layer, a planted
cycle between siblings and a planted cycle between a package and a module
below it, and check that each is reported by name. The last is the contract
of scripts/import_contracts.py, which import-linter's own contracts lack.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # The package from `root`; the contract of scripts/import_contracts.py
    # from this checkout.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(ROOT)])}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def copy_of_package(tmp_path: Path) -> Path:
    """The package and its contract, copied where a violation can be planted."""
    shutil.copytree(
        ROOT / "tutela",
        tmp_path / "tutela",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _plant(root: Path, module: str, source: str) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(f'"""Planted by a test."""\n\n{source}\n', encoding="utf-8")


@pytest.mark.clause("use.purposes")
def test_the_package_keeps_its_layers() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.clause("use.purposes")
def test_an_import_around_the_gate_breaks_the_layers(copy_of_package: Path) -> None:
    # The store reaching up into the gate's callers: a layer violation.
    _plant(copy_of_package, "tutela.store.planted", "import tutela.cli.app")
    result = _lint_imports(copy_of_package)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert "tutela.store.planted -> tutela.cli.app" in result.stdout


def test_siblings_of_one_layer_do_not_import_each_other(
    copy_of_package: Path,
) -> None:
    _plant(copy_of_package, "tutela.auth.planted", "import tutela.mail.outbox")
    result = _lint_imports(copy_of_package)
    assert result.returncode == 1
    assert "tutela.auth.planted -> tutela.mail.outbox" in result.stdout


def test_a_cycle_inside_a_package_is_reported(copy_of_package: Path) -> None:
    # tutela.auth.sessions is imported by tutela.auth.signin; the reverse
    # import closes a cycle between the two.
    signin = copy_of_package / "tutela" / "auth" / "signin.py"
    assert "tutela.auth.sessions" in signin.read_text(encoding="utf-8")
    _plant(copy_of_package, "tutela.auth.planted", "import tutela.auth.signin")
    sessions = copy_of_package / "tutela" / "auth" / "sessions.py"
    sessions.write_text(
        sessions.read_text(encoding="utf-8") + "\nimport tutela.auth.planted  # noqa\n",
        encoding="utf-8",
    )
    result = _lint_imports(copy_of_package)
    assert result.returncode == 1
    assert "No import cycles" in result.stdout and "BROKEN" in result.stdout


def test_a_cycle_between_a_package_and_a_module_below_it_is_reported(
    copy_of_package: Path,
) -> None:
    # The shape tutela.collect.cdr had: the package's __init__ imports a
    # module that imports the package back (the cycle acyclic_siblings
    # cannot see: the package's own module is not one of its children).
    package = copy_of_package / "tutela" / "store" / "planted"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""Planted by a test."""\n\nfrom tutela.store.planted.child import NAME\n',
        encoding="utf-8",
    )
    (package / "child.py").write_text(
        '"""Planted by a test."""\n\nfrom tutela.store import planted\n\nNAME = 1\n',
        encoding="utf-8",
    )
    result = _lint_imports(copy_of_package)
    assert result.returncode == 1
    assert "between a package and the modules below it BROKEN" in result.stdout
    assert "tutela.store.planted.child -> tutela.store.planted" in result.stdout
    # The contract names the planted cycle only: the package itself has none.
    assert "tutela.collect.cdr" not in result.stdout
