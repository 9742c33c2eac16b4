"""Semantic diff of two policies: what a new version changes, in plain words.

Clauses: changes.may_change (the policy may change at any time, so every
change is named for what it does), changes.notice (the notice sent to
subscribers is built from these changes, the material ones first).

`diff_policies(old, new)` compares by id, never by position, and returns one
`Change` per difference: a `kind` (`ChangeKind`), the id of what it concerns
(`subject`), a sentence a subscriber can read, and `material`. A change is
material when the new version lets Jive do more with personal information
than the old one did: collect more, use it for more, disclose it more widely,
keep it longer, protect it less, or drop a promise. Changes that only
narrow what Jive may do are not material.

The sentences (the `document` half) are what people read, so a changed
sentence is material unless a rule shows it is editorial: the same words
once case, spacing and punctuation are set aside (`_wording`); a sentence
added or removed is material too. The `meaning` half is compared rule by
rule (`tutela.changes._category_diff`, `_use_diff`, `_rules_diff`), and
`tutela policy check` refuses wording that contradicts it
(`tutela.policy.wording`). Not compared:
the version id, the publication date, the provenance note and the custom
taxonomy keys (vocabulary, not rules); files that differ only there have no
changes.
"""

from __future__ import annotations

from tutela.changes._category_diff import category_changes
from tutela.changes._change import Change, ChangeKind
from tutela.changes._rules_diff import (
    jurisdiction_changes,
    procedure_changes,
    prohibition_changes,
)
from tutela.changes._use_diff import purpose_changes, recipient_changes
from tutela.changes._wording import is_editorial
from tutela.policy import Policy

__all__ = ["Change", "ChangeKind", "diff_policies", "material_first"]


def diff_policies(old: Policy, new: Policy) -> list[Change]:
    """Every semantic difference from `old` to `new`, in the policy's own order."""
    return [
        *_organization_changes(old, new),
        *_clause_changes(old, new),
        *category_changes(old, new),
        *purpose_changes(old, new),
        *recipient_changes(old, new),
        *jurisdiction_changes(old, new),
        *prohibition_changes(old, new),
        *procedure_changes(old, new),
    ]


def material_first(changes: list[Change]) -> list[Change]:
    """The same changes with the material ones first (otherwise in order)."""
    return sorted(changes, key=lambda change: not change.material)


def _organization_changes(old: Policy, new: Policy) -> list[Change]:
    changes: list[Change] = []
    if old.organization != new.organization:
        # Whoever is responsible for the information is part of the promise.
        changes.append(
            Change(
                ChangeKind.organization_changed,
                "organization",
                f"The policy is now made by {new.organization} "
                f"instead of {old.organization}.",
                material=True,
            )
        )
    if old.title != new.title:
        changes.append(
            Change(
                ChangeKind.title_changed,
                "title",
                f"The policy is now titled “{new.title}”.",
                material=False,
            )
        )
    return changes


def _clause_changes(old: Policy, new: Policy) -> list[Change]:
    before = {clause.id: clause.text for clause in old.clauses()}
    after = {clause.id: clause.text for clause in new.clauses()}
    changes: list[Change] = []
    for clause_id, text in after.items():
        if clause_id not in before:
            changes.append(
                Change(
                    ChangeKind.clause_added,
                    clause_id,
                    f"New sentence: “{text}”",
                    # What a new sentence commits to is not known: material.
                    material=True,
                )
            )
        elif before[clause_id] != text:
            changes.append(
                Change(
                    ChangeKind.clause_changed,
                    clause_id,
                    f"A sentence now reads: “{text}” (it read: “{before[clause_id]}”)",
                    # Material unless only case, spacing or punctuation changed.
                    material=not is_editorial(before[clause_id], text),
                )
            )
    for clause_id, text in before.items():
        if clause_id not in after:
            changes.append(
                Change(
                    ChangeKind.clause_removed,
                    clause_id,
                    f"A sentence was removed: “{text}”",
                    # It may have been a promise: material.
                    material=True,
                )
            )
    return changes
