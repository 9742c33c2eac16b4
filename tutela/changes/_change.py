"""One change between two versions of the policy (see `tutela.changes.diff`).

Clause: changes.notice. Kinds are stable strings: they are stored with each
published version and printed by `tutela policy diff --json`, so scripts may
rely on them. Rename none; add.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ChangeKind(StrEnum):
    organization_changed = "organization_changed"
    title_changed = "title_changed"
    clause_added = "clause_added"
    clause_removed = "clause_removed"
    clause_changed = "clause_changed"
    category_added = "category_added"
    category_removed = "category_removed"
    category_fields_added = "category_fields_added"
    category_fields_removed = "category_fields_removed"
    category_source_changed = "category_source_changed"
    category_protection_weakened = "category_protection_weakened"
    category_protection_strengthened = "category_protection_strengthened"
    category_changed = "category_changed"
    retention_lengthened = "retention_lengthened"
    retention_shortened = "retention_shortened"
    retention_rule_changed = "retention_rule_changed"
    purpose_added = "purpose_added"
    purpose_removed = "purpose_removed"
    purpose_widened = "purpose_widened"
    purpose_narrowed = "purpose_narrowed"
    purpose_changed = "purpose_changed"
    recipient_added = "recipient_added"
    recipient_removed = "recipient_removed"
    recipient_kind_changed = "recipient_kind_changed"
    recipient_widened = "recipient_widened"
    recipient_narrowed = "recipient_narrowed"
    recipient_changed = "recipient_changed"
    jurisdiction_added = "jurisdiction_added"
    jurisdiction_removed = "jurisdiction_removed"
    cross_border_records_changed = "cross_border_records_changed"
    prohibition_added = "prohibition_added"
    prohibition_removed = "prohibition_removed"
    prohibition_weakened = "prohibition_weakened"
    prohibition_strengthened = "prohibition_strengthened"
    prohibition_changed = "prohibition_changed"
    access_request_changed = "access_request_changed"
    change_procedure_changed = "change_procedure_changed"
    contact_changed = "contact_changed"


@dataclass(frozen=True)
class Change:
    """What changed (`kind`), about what (`subject`, a policy id), in words."""

    kind: ChangeKind
    subject: str
    sentence: str
    material: bool

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "sentence": self.sentence,
            "material": self.material,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Change:
        return cls(
            kind=ChangeKind(str(data["kind"])),
            subject=str(data["subject"]),
            sentence=str(data["sentence"]),
            material=bool(data["material"]),
        )


def listed(ids: Iterable[str]) -> str:
    """`a, b and c`: ids (or names) in a sentence, in a stable order."""
    items = sorted(ids)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
