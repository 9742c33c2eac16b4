"""A changed sentence is material unless a rule shows it is only editorial.

Clause changes.notice: people are told of changes to what they read. Only
case, spacing and punctuation changes are editorial; a word added, dropped,
replaced or moved changes the sentence, and so the notice calls it material.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.changes.policies import PolicyData, clause, load_variant
from tutela.changes._wording import is_editorial
from tutela.changes.diff import ChangeKind, diff_policies
from tutela.policy.loader import DEFAULT_POLICY, load_policy

SCOPE = "This Privacy Policy explains how Jive collects, uses, and discloses personal information."


@pytest.mark.parametrize(
    "after",
    [
        "This Privacy Policy explains how Jive collects, uses and discloses personal information.",
        "This privacy policy explains how Jive collects, uses, and discloses personal information",
        "This  Privacy Policy explains how Jive collects,\u00a0uses, and discloses personal information!",
        "This Privacy Policy explains how Jive collects - uses - and discloses “personal information”.",
    ],
)
def test_case_spacing_and_punctuation_are_editorial(after: str) -> None:
    assert is_editorial(SCOPE, after)


@pytest.mark.parametrize(
    "after",
    [
        "This Privacy Policy explains how Jive collects, uses, and sells personal information.",
        "This Privacy Policy explains how Jive collects and uses personal information.",
        "This Privacy Policy explains how Jive uses, collects, and discloses personal information.",
        "This Privacy Policy explains how Jive collects, uses, and discloses all personal information.",
        "This Privacy Policy explains how Jive doesn't collect, use, or disclose personal information.",
    ],
)
def test_a_word_added_dropped_replaced_or_moved_is_not_editorial(after: str) -> None:
    assert not is_editorial(SCOPE, after)


@pytest.mark.clause("changes.notice")
def test_a_reworded_sentence_is_a_material_change(tmp_path: Path) -> None:
    def sells(data: PolicyData) -> None:
        clause(data, "intro.scope")["text"] = SCOPE.replace("discloses", "sells")

    (change,) = diff_policies(
        load_policy(DEFAULT_POLICY), load_variant(tmp_path, sells)
    )
    assert (change.kind, change.subject, change.material) == (
        ChangeKind.clause_changed,
        "intro.scope",
        True,
    )
