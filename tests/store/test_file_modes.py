"""Files at rest are private: directories 0700, files 0600, whatever the umask.

Clause: secure.measures. ``tutela.db`` used to be created 0644 (readable by
every local user) under the default umask; the check runs the real
``tutela demo`` and walks everything it left in the data directory.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tutela.config import Settings
from tutela.store.db import open_store

pytestmark = pytest.mark.clause("secure.measures")

TUTELA = Path(sys.executable).with_name("tutela")


def _loose(root: Path) -> list[str]:
    """Paths under ``root`` (and itself) that group or others may use."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode & 0o077 or (mode != wanted and not path.is_symlink()):
            found.append(f"{path.relative_to(root)} {oct(mode)}")
    return found


def test_everything_tutela_demo_writes_is_private(tmp_path: Path) -> None:
    data = tmp_path / "tutela-data"
    env = {**os.environ, "TUTELA_DATA": str(data)}
    env.pop("TUTELA_DATABASE_URL", None)
    subprocess.run(
        ["sh", "-c", f"umask 022 && exec {TUTELA} demo --accounts 3 --json"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert (data / "tutela.db").exists() and (data / "keys").is_dir()
    assert (data / "blobs").is_dir()
    assert _loose(data) == []


def test_open_store_makes_the_database_private_under_a_loose_umask(
    tmp_path: Path,
) -> None:
    previous = os.umask(0o022)
    try:
        store = open_store(Settings(data=tmp_path / "data"))
        store.close()
    finally:
        os.umask(previous)
    assert _loose(tmp_path / "data") == []


def test_open_store_tightens_a_database_left_readable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_store(Settings(data=data)).close()
    (data / "tutela.db").chmod(0o644)
    data.chmod(0o755)
    open_store(Settings(data=data)).close()
    assert _loose(data) == []
