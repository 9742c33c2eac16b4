"""The product's snapshot of fideslang's taxonomy is fideslang's (fideslang: dev extra).

No clause of its own: it keeps `tutela policy check` (which refuses a
fideslang key that does not exist, tests/conformance) checking against the
real taxonomy. The product reads `tutela/policy/fideslang_keys.txt` instead of
importing fideslang, whose releases pin pydantic for the whole app; this
test, with fideslang installed for development, keeps the two equal.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

from scripts.gen_fideslang_keys import render, taxonomy_keys
from tutela.policy.taxonomy import FIDESLANG_FILE, fideslang_keys


def test_the_snapshot_holds_every_key_of_fideslangs_taxonomy() -> None:
    assert fideslang_keys() == frozenset(taxonomy_keys()), (
        "tutela/policy/fideslang_keys.txt is stale: "
        "run .venv/bin/python scripts/gen_fideslang_keys.py"
    )
    assert "user.contact.email" in fideslang_keys()


def test_the_snapshot_names_the_fideslang_release_it_came_from() -> None:
    text = FIDESLANG_FILE.read_text(encoding="utf-8")
    found = re.search(r"^# fideslang (\S+); written by", text, re.MULTILINE)
    assert found is not None
    # Same keys from this release: regenerating changes at most the header.
    same = render().replace(f"fideslang {version('fideslang')};", "")
    assert text.replace(f"fideslang {found.group(1)};", "") == same


def test_the_policy_check_runs_without_fideslang() -> None:
    code = (
        "import sys\n"
        "sys.modules['fideslang'] = None  # any import of it fails\n"
        "from tutela.policy import load_policy, taxonomy_problems\n"
        "from tutela.policy.loader import DEFAULT_POLICY\n"
        "assert taxonomy_problems(load_policy(DEFAULT_POLICY)) == []\n"
        "assert [m for m in sys.modules if m.startswith('fideslang.')] == []\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
