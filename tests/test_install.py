"""A built wheel works outside the checkout: the policy and every data file ship inside.

No clause of its own: it keeps every clause enforced in an installed copy, which
reads the shipped policy from the package, not from a checkout. The wheel is
built from a copy of the sources, installed
with its dependencies in a fresh virtual environment, and run from a directory
that has nothing of the checkout in it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.samples import REPO

# What a wheel is built from; everything else in the checkout stays behind.
BUILD_INPUTS = ("pyproject.toml", "README.md", "tutela")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path
    elsewhere: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / "tutela"), *args],
            cwd=self.elsewhere,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


def _run(*args: str | Path, cwd: Path) -> None:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"{args[:4]} failed:\n{done.stdout}\n{done.stderr}"


def _clean_env() -> dict[str, str]:
    """The environment without any setting or path that could lead to the checkout."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TUTELA_") and name not in ("PYTHONPATH", "VIRTUAL_ENV")
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name,
                source / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            shutil.copy2(REPO / name, source / name)
    dist = root / "dist"
    _run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", dist, cwd=source)
    [wheel] = dist.glob("tutela-*.whl")
    # The dependencies at the versions this test run uses: the test is about
    # packaging, not about what the package index published since.
    pins = root / "constraints.txt"
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pins.write_text(frozen, encoding="utf-8")
    venv = root / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=root)
    pip = (venv / "bin" / "python", "-m", "pip", "install", "--quiet")
    _run(*pip, "--constraint", pins, wheel, cwd=root)
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    return Installed(
        wheel=wheel, bin=venv / "bin", elsewhere=elsewhere, env=_clean_env()
    )


def test_the_wheel_carries_every_data_file_of_the_package(installed: Installed) -> None:
    tracked = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "tutela"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    data_files = {name for name in tracked if not name.endswith(".py")}
    assert "tutela/policy/shipped/jive-2018.yaml" in data_files
    with zipfile.ZipFile(installed.wheel) as wheel:
        packed = set(wheel.namelist())
    assert data_files - packed == set()
    assert {name for name in tracked if name.endswith(".py")} - packed == set()


def test_the_installed_package_enforces_its_shipped_policy(
    installed: Installed,
) -> None:
    where = subprocess.run(
        [
            str(installed.bin / "python"),
            "-c",
            "from tutela.config import Settings; print(Settings().policy_file)",
        ],
        cwd=installed.elsewhere,
        env=installed.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(installed.bin.parent)
    assert not Path(where).is_relative_to(REPO)
    checked = installed.run("policy", "check", "--json")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] and report["consistent"] and report["problems"] == []


def test_the_installed_package_needs_neither_faker_nor_fideslang(
    installed: Installed,
) -> None:
    # Faker is the demo extra's and fideslang the dev extra's (the policy
    # check reads a snapshot of its taxonomy): the product runs without both.
    for name in ("faker", "fideslang"):
        shown = subprocess.run(
            [str(installed.bin / "python"), "-m", "pip", "show", name],
            capture_output=True,
            text=True,
            check=False,
        )
        assert shown.returncode != 0, f"{name} is installed with the bare wheel"
    imported = subprocess.run(
        [
            str(installed.bin / "python"),
            "-c",
            "import tutela.cli.app, tutela.web.app, tutela.rights, tutela.policy",
        ],
        cwd=installed.elsewhere,
        env=installed.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    checked = installed.run("policy", "check", "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout)["consistent"]
    data = installed.elsewhere / "no-demo"
    refused = installed.run("demo", "--data", str(data), "--accounts", "2")
    assert refused.returncode == 2, refused.stderr
    assert "demo extra" in refused.stderr and "tutela[demo]" in refused.stderr
    assert "Internal error" not in refused.stderr


def test_the_installed_package_builds_the_demo_outside_the_checkout(
    installed: Installed, tmp_path: Path
) -> None:
    # The demo extra, at the version this run uses (as the fixture pins).
    pins = tmp_path / "constraints.txt"
    pins.write_text(
        subprocess.run(
            [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout,
        encoding="utf-8",
    )
    _run(
        installed.bin / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--constraint",
        pins,
        f"tutela[demo] @ {installed.wheel.as_uri()}",
        cwd=tmp_path,
    )
    data = installed.elsewhere / "demo-data"
    built = installed.run("demo", "--data", str(data), "--accounts", "2", "--json")
    assert built.returncode == 0, built.stderr
    counts = json.loads(built.stdout)["counts"]
    assert counts["accounts"] == 2 and counts["policy_versions"] == 1
    assert (data / "tutela.db").is_file()
    page = installed.run("policy", "render", "--format", "html")
    assert page.returncode == 0 and 'id="rights.access.request"' in page.stdout


def test_the_installed_trace_asks_for_the_tests_it_cannot_find(
    installed: Installed,
) -> None:
    traced = installed.run("policy", "trace", "--json")
    assert traced.returncode == 2
    error = json.loads(traced.stdout)
    assert error["ok"] is False and "--tests" in error["error"]
    given = installed.run("policy", "trace", "--json", "--tests", str(REPO / "tests"))
    assert given.returncode == 0, given.stderr
    assert json.loads(given.stdout)["unknown_markers"] == {}
