"""`tutela policy check`: the policy is valid, and the code keeps to it.

Checks, each producing readable problems:
- every column of the store is classified; a personal column names a declared
  category and one of its fields;
- no column stores a field the policy says is never stored (card security code);
- every field the policy marks secret is stored encrypted;
- unlinkable categories (web activity, ad clicks) live in tables with no
  foreign key to or from a table that holds identifying data;
- every declared category is stored somewhere;
- every category and purpose maps to a fideslang key and a DPV term;
- no sentence contradicts the structured meaning (a purpose or a disclosure
  named only in prose, a retention period in prose that differs from the
  structured one: `tutela.policy.wording`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import MetaData, Table

from tutela.policy import Policy, taxonomy_problems, wording_problems
from tutela.store import Encrypted

# Column names that would betray a never-stored field whatever the info says.
_FORBIDDEN_NAME_HINTS = {
    "card_security_code": ("cvv", "cvc", "cvv2", "cvc2", "security_code", "card_code"),
    "card_number": ("card_number", "pan", "cardnumber"),
}


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: int = 0
    personal_columns: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check(policy: Policy, metadata: MetaData) -> CheckReport:
    report = CheckReport(problems=taxonomy_problems(policy))
    report.problems += wording_problems(policy)
    categories = {c.id: c for c in policy.meaning.categories}
    stored: set[str] = set()
    table_categories: dict[str, set[str]] = {}
    for table in metadata.sorted_tables:
        table_categories[table.name] = set()
        for column in table.columns:
            report.columns += 1
            where = f"column {table.name}.{column.name}"
            info = column.info
            lowered = column.name.lower()
            for never, hints in _FORBIDDEN_NAME_HINTS.items():
                if any(lowered == h or lowered.endswith("_" + h) for h in hints):
                    report.problems.append(
                        f"{where} looks like {never!r}, which the policy says is never stored"
                    )
            if info.get("personal") is False:
                if not info.get("reason"):
                    report.problems.append(
                        f"{where} is marked not personal without a reason"
                    )
                continue
            if "category" not in info:
                report.problems.append(
                    f"{where} is not classified: map it to a policy category field with "
                    "personal(category, field) or mark it structural(reason)"
                )
                continue
            report.personal_columns += 1
            category = categories.get(info["category"])
            if category is None:
                report.problems.append(
                    f"{where} maps to undeclared category {info['category']!r}"
                )
                continue
            stored.add(category.id)
            table_categories[table.name].add(category.id)
            fld = str(info.get("field"))
            if fld not in category.fields:
                never_stored = {n.field for n in category.never_store}
                why = (
                    "a field the policy says is never stored"
                    if fld in never_stored
                    else "not a field of that category"
                )
                report.problems.append(f"{where} maps to {category.id}.{fld}: {why}")
            if fld in category.secret and not isinstance(column.type, Encrypted):
                report.problems.append(
                    f"{where} holds secret field {category.id}.{fld} but is not Encrypted"
                )
    for category in policy.meaning.categories:
        if category.id not in stored:
            report.problems.append(
                f"category {category.id!r} is declared but nothing stores it"
            )
    report.problems += _linkability_problems(policy, metadata, table_categories)
    return report


def _linkability_problems(
    policy: Policy, metadata: MetaData, table_categories: dict[str, set[str]]
) -> list[str]:
    unlinkable = {c.id for c in policy.meaning.categories if not c.linkable}
    problems: list[str] = []
    isolated = {name for name, cats in table_categories.items() if cats & unlinkable}
    for name in sorted(isolated):
        mixed = table_categories[name] - unlinkable
        if mixed:
            problems.append(
                f"table {name} holds unlinkable data beside identifying categories {sorted(mixed)}"
            )
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            target: Table = fk.column.table
            if (table.name in isolated) != (target.name in isolated):
                problems.append(
                    f"foreign key {table.name}.{fk.parent.name} -> {target.name} links "
                    "website/ad data with identifying data"
                )
    return problems
