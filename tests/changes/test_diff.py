"""The semantic diff names each change for what it does, and says if it is material."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.changes.policies import (
    NEW_VERSION,
    Edit,
    PolicyData,
    add_recipient,
    category,
    lengthen_web_retention,
    load_variant,
    narrow_improve_services,
    purpose,
    recipient,
    remove_marketing_prohibition,
    reword_scope_sentence,
    shorten_web_retention,
    widen_improve_services,
)
from tutela.changes.diff import Change, ChangeKind, diff_policies, material_first
from tutela.policy.loader import DEFAULT_POLICY, load_policy

pytestmark = pytest.mark.clause("changes.may_change")

SHIPPED = load_policy(DEFAULT_POLICY)


def changes_after(tmp_path: Path, *edits: Edit) -> list[Change]:
    return diff_policies(SHIPPED, load_variant(tmp_path, *edits))


def kinds(changes: list[Change]) -> list[tuple[ChangeKind, str, bool]]:
    return [(c.kind, c.subject, c.material) for c in changes]


def test_identical_policies_have_no_changes() -> None:
    assert diff_policies(SHIPPED, load_policy(DEFAULT_POLICY)) == []


def test_a_new_id_date_or_list_order_alone_is_no_change(tmp_path: Path) -> None:
    def redate(data: PolicyData) -> None:
        data["published"] = "2019-06-01"
        data["provenance"] = "Written by hand for a test."
        for listed in (
            category(data, "payment")["fields"],
            category(data, "payment")["fides"],
            purpose(data, "communicate")["categories"],
            recipient(data, "service_processor")["purposes"],
        ):
            listed.reverse()

    new = load_variant(tmp_path, redate)
    assert new.id == NEW_VERSION
    assert diff_policies(SHIPPED, new) == []


@pytest.mark.parametrize(
    ("edit", "kind", "subject"),
    [
        pytest.param(
            add_recipient,
            ChangeKind.recipient_added,
            "analytics_vendor",
            id="new recipient",
        ),
        pytest.param(
            remove_marketing_prohibition,
            ChangeKind.prohibition_removed,
            "no_third_party_marketing",
            id="prohibition removed",
        ),
        pytest.param(
            lengthen_web_retention,
            ChangeKind.retention_lengthened,
            "web_activity",
            id="longer retention",
        ),
        pytest.param(
            widen_improve_services,
            ChangeKind.purpose_widened,
            "improve_services",
            id="purpose widened",
        ),
    ],
)
def test_widening_changes_are_material(
    tmp_path: Path, edit: Edit, kind: ChangeKind, subject: str
) -> None:
    assert kinds(changes_after(tmp_path, edit)) == [(kind, subject, True)]


@pytest.mark.parametrize(
    ("edit", "kind", "subject"),
    [
        pytest.param(
            reword_scope_sentence,
            ChangeKind.clause_changed,
            "intro.scope",
            id="reworded sentence",
        ),
        pytest.param(
            shorten_web_retention,
            ChangeKind.retention_shortened,
            "web_activity",
            id="shorter retention",
        ),
        pytest.param(
            narrow_improve_services,
            ChangeKind.purpose_narrowed,
            "improve_services",
            id="purpose narrowed",
        ),
    ],
)
def test_wording_and_narrowing_changes_are_not_material(
    tmp_path: Path, edit: Edit, kind: ChangeKind, subject: str
) -> None:
    assert kinds(changes_after(tmp_path, edit)) == [(kind, subject, False)]


def test_a_reworded_sentence_shows_old_and_new_text(tmp_path: Path) -> None:
    (change,) = changes_after(tmp_path, reword_scope_sentence)
    assert "collects, uses and discloses" in change.sentence
    assert "collects, uses, and discloses" in change.sentence


def test_the_sentence_names_what_changed(tmp_path: Path) -> None:
    (recipient_added,) = changes_after(tmp_path, add_recipient)
    assert "analytics_vendor" in recipient_added.sentence
    assert "Call detail records" in recipient_added.sentence
    (retention,) = changes_after(tmp_path, lengthen_web_retention)
    assert "800 days" in retention.sentence and "395 days" in retention.sentence


def fax_logs(data: PolicyData) -> dict[str, object]:
    """A new category, built like business contacts (a deep copy)."""
    return copy.deepcopy(
        category(data, "business_contact") | {"id": "fax_logs", "name": "Fax logs"}
    )


def test_adding_a_category_and_a_field_is_material(tmp_path: Path) -> None:
    def collect_more(data: PolicyData) -> None:
        category(data, "business_contact")["fields"].append("fax_number")
        data["meaning"]["categories"].append(fax_logs(data))

    assert kinds(changes_after(tmp_path, collect_more)) == [
        (ChangeKind.category_fields_added, "business_contact", True),
        (ChangeKind.category_added, "fax_logs", True),
    ]


def test_removing_a_category_is_not_material(tmp_path: Path) -> None:
    def add_fax_logs(data: PolicyData) -> None:
        data["meaning"]["categories"].append(fax_logs(data))

    with_fax = load_variant(tmp_path, add_fax_logs)
    assert kinds(diff_policies(with_fax, SHIPPED)) == [
        (ChangeKind.category_removed, "fax_logs", False)
    ]


def test_a_recipient_with_a_new_kind_or_more_data_is_material(
    tmp_path: Path,
) -> None:
    def affiliate_and_wider(data: PolicyData) -> None:
        processor = recipient(data, "payment_processor")
        processor["categories"].append("call_records")
        sibling = recipient(data, "sibling")
        sibling.update(kind="business_transfer")
        del sibling["relationship"]

    assert kinds(changes_after(tmp_path, affiliate_and_wider)) == [
        (ChangeKind.recipient_widened, "payment_processor", True),
        (ChangeKind.recipient_kind_changed, "sibling", True),
    ]


def test_a_recipient_receiving_less_is_not_material(tmp_path: Path) -> None:
    def narrower(data: PolicyData) -> None:
        recipient(data, "purchaser")["categories"] = ["business_contact"]
        data["meaning"]["recipients"] = [
            r for r in data["meaning"]["recipients"] if r["id"] != "sibling"
        ]

    assert kinds(changes_after(tmp_path, narrower)) == [
        (ChangeKind.recipient_narrowed, "purchaser", False),
        (ChangeKind.recipient_removed, "sibling", False),
    ]


def test_recipients_in_more_countries_is_material(tmp_path: Path) -> None:
    def us_only(data: PolicyData) -> None:
        data["meaning"]["jurisdictions"]["recipient_locations"] = ["US"]

    narrowed = load_variant(tmp_path, us_only)
    assert kinds(diff_policies(SHIPPED, narrowed)) == [
        (ChangeKind.jurisdiction_removed, "CA", False),
        (ChangeKind.jurisdiction_removed, "OTHER", False),
    ]
    assert kinds(diff_policies(narrowed, SHIPPED)) == [
        (ChangeKind.jurisdiction_added, "CA", True),
        (ChangeKind.jurisdiction_added, "OTHER", True),
    ]


def test_a_secret_field_stored_in_clear_is_material(tmp_path: Path) -> None:
    def unencrypted_pin(data: PolicyData) -> None:
        category(data, "porting")["secret"] = ["carrier_account_number"]

    (change,) = changes_after(tmp_path, unencrypted_pin)
    assert (change.kind, change.material) == (
        ChangeKind.category_protection_weakened,
        True,
    )
    assert "carrier_pin no longer stored encrypted" in change.sentence


def test_a_new_subscription_heading_is_a_material_procedure_change(
    tmp_path: Path,
) -> None:
    def new_heading(data: PolicyData) -> None:
        data["meaning"]["change_procedure"]["heading"] = "Policy Updates Please"

    (change,) = changes_after(tmp_path, new_heading)
    assert (change.kind, change.subject, change.material) == (
        ChangeKind.change_procedure_changed,
        "change_procedure",
        True,
    )
    assert "Policy Updates Please" in change.sentence


def test_a_new_prohibition_is_not_material(tmp_path: Path) -> None:
    without = load_variant(tmp_path, remove_marketing_prohibition)
    assert kinds(diff_policies(without, SHIPPED)) == [
        (ChangeKind.prohibition_added, "no_third_party_marketing", False)
    ]


def test_material_changes_come_first(tmp_path: Path) -> None:
    changes = changes_after(tmp_path, reword_scope_sentence, add_recipient)
    assert [c.material for c in changes] == [False, True]
    assert [c.material for c in material_first(changes)] == [True, False]


def test_a_change_survives_its_json_form(tmp_path: Path) -> None:
    (change,) = changes_after(tmp_path, add_recipient)
    assert Change.from_dict(dict(change.as_dict())) == change
