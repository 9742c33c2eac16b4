"""Hand-made variants of the shipped policy, each written to a temporary file.

Each edit changes the YAML data of the shipped policy
(`tutela/policy/shipped/jive-2018.yaml`) the way an editor of the policy would; `write_variant` gives the result a new version id (as a
new version must have) and writes it where the loader can read it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.policy.model import Policy

PolicyData = dict[str, Any]
Edit = Callable[[PolicyData], None]

NEW_VERSION = "jive-2019-06-01"
ANALYTICS_VENDOR = {
    "id": "analytics_vendor",
    "kind": "processor",
    "clauses": ["disclose.processors"],
    "description": "A vendor that analyses call patterns for Jive.",
    "categories": ["call_records"],
    "purposes": ["improve_services"],
}


def shipped_data() -> PolicyData:
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write_variant(
    directory: Path, *edits: Edit, version: str = NEW_VERSION, name: str = ""
) -> Path:
    """The shipped policy with `edits` applied and id `version`, as a file."""
    data = shipped_data()
    data["id"] = version
    for edit in edits:
        edit(data)
    path = directory / f"{name or version}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def load_variant(directory: Path, *edits: Edit) -> Policy:
    return load_policy(write_variant(directory, *edits))


def _by_id(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    return next(item for item in items if item["id"] == item_id)


def category(data: PolicyData, category_id: str) -> dict[str, Any]:
    return _by_id(data["meaning"]["categories"], category_id)


def purpose(data: PolicyData, purpose_id: str) -> dict[str, Any]:
    return _by_id(data["meaning"]["purposes"], purpose_id)


def recipient(data: PolicyData, recipient_id: str) -> dict[str, Any]:
    return _by_id(data["meaning"]["recipients"], recipient_id)


def clause(data: PolicyData, clause_id: str) -> dict[str, Any]:
    for section in data["document"]:
        for block in section["blocks"]:
            items = block.get("paragraph") or [
                c for item in block.get("list", []) for c in item["clauses"]
            ]
            for found in items:
                if found["id"] == clause_id:
                    assert isinstance(found, dict)
                    return found
    raise KeyError(clause_id)


# ---------------------------------------------------------------- edits


def add_recipient(data: PolicyData) -> None:
    data["meaning"]["recipients"].append(dict(ANALYTICS_VENDOR))


def remove_marketing_prohibition(data: PolicyData) -> None:
    data["meaning"]["prohibitions"] = [
        p
        for p in data["meaning"]["prohibitions"]
        if p["id"] != "no_third_party_marketing"
    ]


def lengthen_web_retention(data: PolicyData) -> None:
    category(data, "web_activity")["retention"]["days"] = 800


def lengthen_web_retention_and_say_so(data: PolicyData) -> None:
    """The longer period in both halves (`policy check` refuses a contradiction)."""
    retention = category(data, "web_activity")["retention"]
    retention["days"] = 800
    retention["description"] = "Kept for about twenty-six months of reporting."


def shorten_web_retention(data: PolicyData) -> None:
    category(data, "web_activity")["retention"]["days"] = 90


def widen_improve_services(data: PolicyData) -> None:
    purpose(data, "improve_services")["categories"].append("business_contact")


def narrow_improve_services(data: PolicyData) -> None:
    purpose(data, "improve_services")["categories"].remove("communications")


def reword_scope_sentence(data: PolicyData) -> None:
    clause(data, "intro.scope")["text"] = (
        "This Privacy Policy explains how Jive collects, uses and discloses "
        "personal information."
    )
