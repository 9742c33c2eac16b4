"""A malformed policy fails with the file, the line, the path inside it and the reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tutela.errors import PolicyInvalid
from tutela.policy.loader import DEFAULT_POLICY, MAX_POLICY_BYTES, load_policy

Mutation = Callable[[dict[str, Any]], None]


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path


def category(data: dict[str, Any], cid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        c for c in data["meaning"]["categories"] if c["id"] == cid
    )
    return found


def _typo_key(d: dict[str, Any]) -> None:
    category(d, "voicemail")["retension"] = category(d, "voicemail").pop("retention")


def _unknown_category_in_purpose(d: dict[str, Any]) -> None:
    d["meaning"]["purposes"][0]["categories"].append("shoe_sizes")


def _duplicate_clause(d: dict[str, Any]) -> None:
    d["document"][0]["blocks"][0]["paragraph"][1]["id"] = "intro.scope"


def _missing_access_request(d: dict[str, Any]) -> None:
    del d["meaning"]["access_request"]


def _bad_source(d: dict[str, Any]) -> None:
    category(d, "call_records")["source"] = "telepathy"


def _secret_not_a_field(d: dict[str, Any]) -> None:
    category(d, "porting")["secret"].append("mothers_maiden_name")


def _fixed_period_without_days(d: dict[str, Any]) -> None:
    category(d, "web_activity")["retention"].pop("days")


def _bad_address(d: dict[str, Any]) -> None:
    d["meaning"]["access_request"]["address"] = "legal at jive"


def _affiliate_without_relationship(d: dict[str, Any]) -> None:
    next(r for r in d["meaning"]["recipients"] if r["id"] == "parent").pop(
        "relationship"
    )


def _purpose_links_web_data(d: dict[str, Any]) -> None:
    next(p for p in d["meaning"]["purposes"] if p["id"] == "improve_websites_and_ads")[
        "categories"
    ].append("business_contact")


def _legal_without_reference(d: dict[str, Any]) -> None:
    next(r for r in d["meaning"]["recipients"] if r["id"] == "legal_authority")[
        "requires"
    ] = []


def _stored_and_never_stored(d: dict[str, Any]) -> None:
    category(d, "payment")["fields"].append("card_security_code")


def _unknown_clause_reference(d: dict[str, Any]) -> None:
    category(d, "voicemail")["clauses"] = ["collect.service_use.voice_mail"]


CASES: list[tuple[str, Mutation, str, str]] = [
    ("typo_key", _typo_key, "{voicemail}.retension", "Extra inputs"),
    (
        "unknown_category",
        _unknown_category_in_purpose,
        "meaning.purposes[0].categories",
        "unknown category 'shoe_sizes'",
    ),
    (
        "duplicate_clause",
        _duplicate_clause,
        "document[0]",
        "duplicate clause id 'intro.scope'",
    ),
    (
        "missing_section",
        _missing_access_request,
        "meaning.access_request",
        "Field required",
    ),
    ("bad_enum", _bad_source, "{call_records}.source", "Input should be"),
    (
        "secret_not_field",
        _secret_not_a_field,
        "{porting}",
        "mothers_maiden_name",
    ),
    (
        "retention_days",
        _fixed_period_without_days,
        "{web_activity}.retention",
        "days",
    ),
    ("bad_email", _bad_address, "meaning.access_request.address", "pattern"),
    (
        "affiliate",
        _affiliate_without_relationship,
        "{recipient:parent}",
        "relationship",
    ),
    (
        "web_link",
        _purpose_links_web_data,
        "{purpose:improve_websites_and_ads}.categories",
        "unlinkable",
    ),
    (
        "legal_reference",
        _legal_without_reference,
        "{recipient:legal_authority}",
        "legal_reference",
    ),
    ("never_store", _stored_and_never_stored, "{payment}", "never_store"),
    (
        "unknown_clause",
        _unknown_clause_reference,
        "{voicemail}.clauses",
        "unknown clause",
    ),
]


def test_shipped_policy_loads() -> None:
    policy = load_policy(DEFAULT_POLICY)
    assert len(policy.meaning.purposes) == 8
    assert {c.id for c in policy.meaning.categories} >= {
        "business_contact",
        "payment",
        "phone_numbers",
        "porting",
        "communications",
        "call_records",
        "voicemail",
        "call_recordings",
        "web_activity",
        "ad_clicks",
        "rights_requests",
    }


def resolve(path: str) -> str:
    """Turn `{voicemail}` or `{recipient:parent}` into its index path in the shipped file."""
    meaning = shipped()["meaning"]

    def index(match: re.Match[str]) -> str:
        kind, _, ident = match.group(1).rpartition(":")
        key = {"": "categories", "recipient": "recipients", "purpose": "purposes"}[kind]
        ids = [entry["id"] for entry in meaning[key]]
        return f"meaning.{key}[{ids.index(ident)}]"

    return re.sub(r"\{([a-z_:]+)\}", index, path)


@pytest.mark.parametrize(
    ("name", "mutate", "path", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_malformed_policy_names_file_line_path_and_reason(
    tmp_path: Path, name: str, mutate: Mutation, path: str, reason: str
) -> None:
    path = resolve(path)
    data = shipped()
    mutate(data)
    file = write(tmp_path, data)
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(file)
    error = caught.value
    matching = [e for e in error.errors if path in e and reason in e]
    assert matching, f"{name}: no error with {path!r} and {reason!r} in {error.errors}"
    assert matching[0].startswith(f"{file}:")
    line = int(matching[0][len(str(file)) + 1 :].split(":", 1)[0])
    assert 1 <= line <= len(file.read_text(encoding="utf-8").splitlines())
    assert error.location.file == str(file)


def test_line_number_points_at_the_offending_key(tmp_path: Path) -> None:
    data = shipped()
    _bad_source(data)
    file = write(tmp_path, data)
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(file)
    line = caught.value.location.line
    assert line is not None
    assert "telepathy" in file.read_text(encoding="utf-8").splitlines()[line - 1]


def test_yaml_syntax_error_reports_line(tmp_path: Path) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text("schema_version: 1\nid: [unclosed\ntitle: x\n", encoding="utf-8")
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(file)
    assert caught.value.location.line in (2, 3, 4)
    assert "not valid YAML" in str(caught.value)


def test_top_level_list_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "list.yaml"
    file.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(PolicyInvalid, match="mapping at the top level"):
        load_policy(file)


def test_non_utf8_policy_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "latin1.yaml"
    file.write_bytes("title: Politique de confidentialité\n".encode("latin-1"))
    with pytest.raises(PolicyInvalid, match="not UTF-8"):
        load_policy(file)


def test_oversized_policy_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "huge.yaml"
    file.write_bytes(b"#" * (MAX_POLICY_BYTES + 1))
    with pytest.raises(PolicyInvalid, match="larger than"):
        load_policy(file)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyInvalid, match="cannot read"):
        load_policy(tmp_path / "nope.yaml")
