"""Documentation keeps up with the code: CLI reference, settings, purposes."""

from __future__ import annotations

from scripts.gen_cli_docs import DOCS, render
from tests.samples import REPO
from tutela.config import Settings
from tutela.policy.loader import DEFAULT_POLICY, load_policy


def test_cli_reference_is_generated_from_current_help() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run .venv/bin/python scripts/gen_cli_docs.py"
    )


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert f"TUTELA_{name.upper()}" in readme, name
        assert field.description, name


def test_every_purpose_and_category_is_documented() -> None:
    text = (REPO / "docs" / "policy.md").read_text(encoding="utf-8")
    policy = load_policy(DEFAULT_POLICY)
    for purpose in policy.meaning.purposes:
        assert f"`{purpose.id}`" in text, purpose.id
    for category in policy.meaning.categories:
        assert f"`{category.id}`" in text, category.id


def test_readme_gives_the_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


def test_every_test_the_security_table_names_exists() -> None:
    """docs/security.md names a file and a test for each attack: both must exist."""
    import re

    text = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    named = 0
    for cell in re.findall(r"\| (tests/[^|]+) \|$", text, flags=re.M):
        current: str | None = None
        for part in (p.strip() for p in cell.split(",")):
            path, _, test = part.partition("::")
            if path.startswith("tests/"):
                current = path.split(" ")[0]
            elif current is None:
                raise AssertionError(f"no file for {part!r}")
            source = (REPO / current).read_text(encoding="utf-8")
            if test:
                assert f"def {test}(" in source, f"{current}::{test}"
                named += 1
    assert named >= 50
