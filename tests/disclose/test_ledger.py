"""Disclosures are checked against the policy and every decision is in the ledger."""

from __future__ import annotations

import pytest

from tests.access.world import World, build_world
from tutela.access import Actor
from tutela.access.roles import Role
from tutela.audit import audit_log
from tutela.disclose import disclose, ledger_for_subject
from tutela.errors import DisclosureRefused, Forbidden
from tutela.store.db import Store

OFFICER = Actor.staff(1, Role.privacy_officer)
BILLING = Actor.staff(7, Role.billing)
AUDITOR = Actor.staff(3, Role.auditor)


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


@pytest.mark.clause("disclose.processors.payment")
@pytest.mark.clause("disclose.processors")
def test_payment_vendor_receives_payment_data_to_collect_payment(
    store: Store, world: World
) -> None:
    entry = disclose(
        store,
        actor=BILLING,
        recipient="payment_processor",
        subjects=world.alice,
        categories=["payment"],
        purpose="collect_payment",
        country="US",
    )
    assert entry.allowed and entry.recipient_kind == "processor"
    assert entry.audit_seq is not None
    with pytest.raises(DisclosureRefused) as refused:
        disclose(
            store,
            actor=BILLING,
            recipient="payment_processor",
            subjects=world.alice,
            categories=["call_records"],
            purpose="collect_payment",
            country="US",
        )
    assert refused.value.clause == "disclose.processors.payment"


@pytest.mark.clause("disclose.processors")
def test_processors_receive_data_only_for_the_processing_they_do(
    store: Store, world: World
) -> None:
    with pytest.raises(DisclosureRefused):
        disclose(
            store,
            actor=OFFICER,
            recipient="payment_processor",
            subjects=world.alice,
            categories=["payment"],
            purpose="improve_services",
            country="US",
        )


@pytest.mark.clause("disclose.also")
def test_a_recipient_the_policy_does_not_name_is_refused_and_recorded(
    store: Store, world: World
) -> None:
    # Beyond processors, the policy names only the recipients listed after
    # "Jive may also disclose personal information:"; nobody else.
    with pytest.raises(DisclosureRefused) as refused:
        disclose(
            store,
            actor=OFFICER,
            recipient="data_broker",
            subjects=[world.alice],
            categories=["business_contact"],
            purpose="deliver_services",
            country="US",
        )
    assert refused.value.clause == "disclose.also"
    (entry,) = ledger_for_subject(store, world.alice, actor=AUDITOR)
    assert (entry.recipient, entry.allowed) == ("data_broker", False)
    for listed in ("legal_authority", "subsidiary", "parent", "sibling", "purchaser"):
        assert store.policy().recipient(listed).clauses


@pytest.mark.clause("disclose.no_third_party_marketing")
def test_nothing_is_disclosed_for_a_third_partys_own_marketing(
    store: Store, world: World
) -> None:
    for recipient in ("parent", "acme_ad_network"):
        with pytest.raises(DisclosureRefused) as refused:
            disclose(
                store,
                actor=OFFICER,
                recipient=recipient,
                subjects=[world.alice],
                categories=["business_contact"],
                purpose="third_party_marketing",
                country="US",
            )
        assert refused.value.clause == "disclose.no_third_party_marketing"
    refusals = ledger_for_subject(store, world.alice, actor=AUDITOR)
    assert [e.allowed for e in refusals] == [False, False]
    assert refusals[0].clause == "disclose.no_third_party_marketing"


@pytest.mark.clause("disclose.legal_obligation")
def test_legal_disclosure_needs_the_order_number_and_issuing_authority(
    store: Store, world: World
) -> None:
    for reference, authority in (
        (None, "US District Court (D. Utah)"),
        ("2:18-mj-00123", None),
    ):
        with pytest.raises(DisclosureRefused):
            disclose(
                store,
                actor=OFFICER,
                recipient="legal_authority",
                subjects=[world.carol],
                categories=["call_records"],
                purpose="legal_obligation",
                country="US",
                reference=reference,
                authority=authority,
            )
    entry = disclose(
        store,
        actor=OFFICER,
        recipient="legal_authority",
        subjects=[world.carol],
        categories=["call_records", "voicemail"],
        purpose="legal_obligation",
        country="US",
        reference="2:18-mj-00123",
        authority="US District Court (D. Utah)",
    )
    assert entry.allowed and entry.reference == "2:18-mj-00123"


@pytest.mark.clause("disclose.affiliates")
def test_affiliates_receive_data_for_the_policys_own_purposes(
    store: Store, world: World
) -> None:
    for recipient in ("subsidiary", "parent", "sibling"):
        entry = disclose(
            store,
            actor=OFFICER,
            recipient=recipient,
            subjects=[world.alice],
            categories=["business_contact"],
            purpose="deliver_services",
            country="US",
        )
        assert entry.allowed and entry.recipient_kind == "affiliate"
    with pytest.raises(DisclosureRefused):
        disclose(
            store,
            actor=BILLING,
            recipient="parent",
            subjects=[world.alice],
            categories=["business_contact"],
            purpose="communicate",
            country="US",
        )


@pytest.mark.clause("disclose.business_transfer")
def test_purchaser_receives_data_only_with_the_transaction_reference(
    store: Store, world: World
) -> None:
    kwargs: dict[str, object] = dict(
        actor=OFFICER,
        recipient="purchaser",
        subjects=[world.alice, world.bob],
        categories=["business_contact", "phone_numbers"],
        purpose="business_transfer",
        country="US",
    )
    with pytest.raises(DisclosureRefused):
        disclose(store, **kwargs)  # type: ignore[arg-type]
    entry = disclose(store, **kwargs, reference="APA-2018-07")  # type: ignore[arg-type]
    assert entry.allowed and [s.id for s in entry.subjects] == [world.alice, world.bob]


@pytest.mark.clause("disclose.jurisdictions")
@pytest.mark.clause("disclose.jurisdictions.local_law")
@pytest.mark.clause("disclose.jurisdictions.less_protective")
def test_ledger_records_where_the_recipient_is_and_border_crossings(
    store: Store, world: World
) -> None:
    entry = disclose(
        store,
        actor=OFFICER,
        recipient="sibling",
        subjects=[world.alice, world.carol],
        categories=["business_contact"],
        purpose="deliver_services",
        country="GB",
    )
    assert entry.recipient_jurisdiction == "OTHER"
    assert {(s.id, s.jurisdiction, s.crossed_border) for s in entry.subjects} == {
        (world.alice, "US", True),
        (world.carol, "CA", True),
    }
    canadian = disclose(
        store,
        actor=OFFICER,
        recipient="subsidiary",
        subjects=[world.alice, world.carol],
        categories=["business_contact"],
        purpose="deliver_services",
        country="CA",
    )
    crossed = {s.id: s.crossed_border for s in canadian.subjects}
    assert crossed == {world.alice: True, world.carol: False}


@pytest.mark.clause("scope.web_unlinked")
def test_web_data_is_never_disclosed_about_a_person(store: Store, world: World) -> None:
    with pytest.raises(DisclosureRefused) as refused:
        disclose(
            store,
            actor=OFFICER,
            recipient="parent",
            subjects=[world.alice],
            categories=["web_activity"],
            purpose="improve_websites_and_ads",
            country="US",
        )
    assert refused.value.clause == "scope.web_unlinked"


@pytest.mark.postgresql
def test_ledger_answers_who_received_a_persons_data_when_and_why(
    store: Store, world: World
) -> None:
    disclose(
        store,
        actor=BILLING,
        recipient="payment_processor",
        subjects=[world.alice],
        categories=["payment"],
        purpose="collect_payment",
        country="US",
    )
    assert ledger_for_subject(store, world.carol, actor=OFFICER) == []
    (entry,) = ledger_for_subject(store, world.alice, actor=AUDITOR)
    assert (entry.recipient, entry.purpose, entry.actor) == (
        "payment_processor",
        "collect_payment",
        "staff:7",
    )
    assert entry.at
    with pytest.raises(Forbidden):
        ledger_for_subject(store, world.alice, actor=BILLING)
    assert audit_log(store).verify().ok


def test_unknown_subjects_are_refused_and_recorded(store: Store, world: World) -> None:
    with pytest.raises(DisclosureRefused) as refused:
        disclose(
            store,
            actor=OFFICER,
            recipient="parent",
            subjects=[world.alice, 999_999],
            categories=["business_contact"],
            purpose="deliver_services",
            country="US",
        )
    assert "name no person" in refused.value.reason
    assert not ledger_for_subject(store, world.alice, actor=OFFICER)[0].allowed
