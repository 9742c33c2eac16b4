"""`tutela policy check` holds the code to the policy: every column, key and term."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text

from tutela.conformance.check import check
from tutela.policy.loader import DEFAULT_POLICY, load_policy, parse_policy
from tutela.policy.model import Policy
from tutela.store.models import Base, personal, structural
from tutela.store.types import Encrypted


def policy() -> Policy:
    return load_policy(DEFAULT_POLICY)


def copy_of_store_schema() -> MetaData:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    return metadata


def test_shipped_policy_and_store_are_consistent() -> None:
    report = check(policy(), Base.metadata)
    assert report.problems == []
    assert report.personal_columns > 50


def test_undeclared_column_fails_the_check() -> None:
    metadata = copy_of_store_schema()
    metadata.tables["people"].append_column(Column("shoe_size", Integer))
    report = check(policy(), metadata)
    assert not report.ok
    assert any("people.shoe_size is not classified" in p for p in report.problems)


def test_column_mapped_to_undeclared_category_fails() -> None:
    metadata = copy_of_store_schema()
    metadata.tables["people"].append_column(
        Column("birthday", String, info=personal("biometrics", "birthday"))
    )
    report = check(policy(), metadata)
    assert any("undeclared category 'biometrics'" in p for p in report.problems)


def test_column_mapped_to_unknown_field_fails() -> None:
    metadata = copy_of_store_schema()
    metadata.tables["people"].append_column(
        Column("nickname", String, info=personal("business_contact", "nickname"))
    )
    report = check(policy(), metadata)
    assert any("business_contact.nickname: not a field" in p for p in report.problems)


@pytest.mark.clause("collect.requested")
def test_a_card_security_code_column_fails_whatever_its_info() -> None:
    metadata = copy_of_store_schema()
    metadata.tables["payment_methods"].append_column(
        Column("cvv", String, info=structural("trust me"))
    )
    report = check(policy(), metadata)
    assert any("card_security_code" in p for p in report.problems)


def test_secret_field_stored_in_plain_text_fails() -> None:
    metadata = copy_of_store_schema()
    Table(
        "porting_notes",
        metadata,
        Column("id", Integer, primary_key=True, info=structural("key")),
        Column("pin", Text, info=personal("porting", "carrier_pin")),
    )
    report = check(policy(), metadata)
    assert any("porting_notes.pin holds secret field" in p for p in report.problems)


def test_secret_field_stored_encrypted_passes() -> None:
    metadata = copy_of_store_schema()
    Table(
        "porting_notes",
        metadata,
        Column("id", Integer, primary_key=True, info=structural("key")),
        Column(
            "pin",
            Encrypted("porting_notes.pin"),
            info=personal("porting", "carrier_pin"),
        ),
    )
    assert check(policy(), metadata).problems == []


@pytest.mark.clause("scope.web_unlinked")
def test_foreign_key_from_web_data_to_people_fails() -> None:
    metadata = copy_of_store_schema()
    metadata.tables["web_visits"].append_column(
        Column("person_id", ForeignKey("people.id"), info=structural("convenience"))
    )
    report = check(policy(), metadata)
    assert any(
        "links website/ad data with identifying data" in p for p in report.problems
    )


@pytest.mark.clause("scope.web_unlinked")
def test_web_data_beside_identities_in_one_table_fails() -> None:
    metadata = copy_of_store_schema()
    metadata.tables["web_visits"].append_column(
        Column("email", String, info=personal("business_contact", "email"))
    )
    report = check(policy(), metadata)
    assert any("holds unlinkable data beside identifying" in p for p in report.problems)


def test_category_nothing_stores_fails() -> None:
    metadata = copy_of_store_schema()
    for table in list(metadata.tables.values()):
        if any(c.info.get("category") == "ad_clicks" for c in table.columns):
            metadata.remove(table)
    report = check(policy(), metadata)
    assert "category 'ad_clicks' is declared but nothing stores it" in report.problems


def _with(mutate: str, value: str) -> Policy:
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    if mutate == "fides":
        data["meaning"]["categories"][0]["fides"].append(value)
    elif mutate == "dpv":
        data["meaning"]["purposes"][0]["dpv"].append(value)
    else:
        data["meaning"]["custom_taxonomy"][1]["parent_key"] = value
        data["meaning"]["custom_taxonomy"][1]["fides_key"] = (
            value + ".call_detail_records"
        )
    return parse_policy(yaml.safe_dump(data, allow_unicode=True))


def test_fideslang_key_must_exist_not_just_look_right() -> None:
    report = check(_with("fides", "user.contact.carrier_pigeon"), Base.metadata)
    assert any(
        "'user.contact.carrier_pigeon' is not a fideslang key" in p
        for p in report.problems
    )


def test_dpv_term_must_exist() -> None:
    report = check(_with("dpv", "dpv:MindReading"), Base.metadata)
    assert any(
        "'dpv:MindReading' is not a known DPV term" in p for p in report.problems
    )


def test_custom_key_needs_an_existing_parent() -> None:
    report = check(_with("custom", "user.telecommunications"), Base.metadata)
    assert any("unknown parent 'user.telecommunications'" in p for p in report.problems)
