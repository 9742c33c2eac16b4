"""Write tutela/policy/fideslang_keys.txt from fideslang's default taxonomy.

The product checks a policy's fideslang keys against this snapshot, so it
needs neither fideslang nor the pydantic versions fideslang allows at run
time; tests/policy/test_fideslang_snapshot.py (fideslang is in the dev
extra) checks that the snapshot is what fideslang gives.

    .venv/bin/python scripts/gen_fideslang_keys.py
"""

from __future__ import annotations

import sys
from importlib.metadata import version

from tutela.policy.taxonomy import FIDESLANG_FILE


def taxonomy_keys() -> list[str]:
    """Every data category and data use key of fideslang's default taxonomy, sorted."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    keys = {c.fides_key for c in DEFAULT_TAXONOMY.data_category}
    keys |= {u.fides_key for u in DEFAULT_TAXONOMY.data_use}
    return sorted(keys)


def render() -> str:
    header = [
        "# fideslang's default taxonomy: every data category and data use key.",
        f"# fideslang {version('fideslang')}; written by scripts/gen_fideslang_keys.py,",
        "# checked against fideslang by tests/policy/test_fideslang_snapshot.py.",
    ]
    return "\n".join([*header, *taxonomy_keys()]) + "\n"


if __name__ == "__main__":
    FIDESLANG_FILE.write_text(render(), encoding="utf-8")
    sys.stderr.write(f"wrote {FIDESLANG_FILE}\n")
