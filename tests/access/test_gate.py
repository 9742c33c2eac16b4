"""The purpose gate: the only read path to personal data (its SQL scoping on PostgreSQL too)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from tests.access.world import build_world
from tutela.access import Actor, access
from tutela.access.roles import Role
from tutela.errors import NotFound, PurposeDenied
from tutela.store.db import Store
from tutela.store.models import (
    Account,
    AdClick,
    AuditEntry,
    CallRecord,
    Communication,
    PaymentMethod,
    Person,
    PortingRequest,
    Voicemail,
    WebVisit,
)

BILLING = Actor.staff(7, Role.billing)
SUPPORT = Actor.staff(8, Role.support_agent)
ENGINEER = Actor.staff(9, Role.engineering)
OFFICER = Actor.staff(1, Role.privacy_officer)


def audit_actions(store: Store) -> list[tuple[str, str | None, dict[str, object]]]:
    with store.session() as s:
        rows = s.execute(
            select(AuditEntry.action, AuditEntry.purpose, AuditEntry.details).order_by(
                AuditEntry.seq
            )
        ).all()
    return [(a, p, json.loads(d)) for a, p, d in rows]


@pytest.mark.clause("use.purposes.collect_payment")
def test_billing_reads_cards_to_collect_payment(store: Store) -> None:
    world = build_world(store)
    with access(store, actor=BILLING, purpose="collect_payment") as use:
        cards = use.select(PaymentMethod, PaymentMethod.account_id == world.us_account)
    assert [c.card_last4 for c in cards] == ["4242"]
    action, purpose, details = audit_actions(store)[-1]
    assert (action, purpose) == ("use.grant", "collect_payment")
    assert details == {
        "categories": ["payment"],
        "rows": 1,
        "tables": ["payment_methods"],
    }


@pytest.mark.clause("use.purposes")
@pytest.mark.clause("use.purposes.collect_payment")
def test_billing_may_not_read_support_chats(store: Store) -> None:
    build_world(store)
    with access(store, actor=BILLING, purpose="collect_payment") as use:
        with pytest.raises(PurposeDenied) as denied:
            use.select(Communication)
    assert denied.value.category == "communications"
    assert denied.value.actor == "staff:7"
    assert denied.value.purpose == "collect_payment"
    assert "communications" in str(denied.value)
    action, _, details = audit_actions(store)[-1]
    assert action == "use.deny" and details["category"] == "communications"


@pytest.mark.clause("use.purposes")
def test_billing_may_not_invoke_support_purposes(store: Store) -> None:
    with pytest.raises(PurposeDenied) as denied:
        with access(store, actor=BILLING, purpose="respond_to_requests"):
            pass
    assert "may not invoke" in denied.value.reason
    assert audit_actions(store)[-1][0] == "use.deny"


@pytest.mark.clause("use.purposes.improve_websites_and_ads")
def test_call_records_are_not_used_to_improve_websites_and_serve_ads(
    store: Store,
) -> None:
    with access(store, actor=ENGINEER, purpose="improve_websites_and_ads") as use:
        with pytest.raises(PurposeDenied) as denied:
            use.select(CallRecord)
    assert denied.value.category == "call_records"
    assert denied.value.clause == "use.purposes.improve_websites_and_ads"


@pytest.mark.clause("scope.web_unlinked")
@pytest.mark.clause("use.purposes.improve_websites_and_ads")
def test_web_activity_is_read_alone_for_website_improvement(store: Store) -> None:
    build_world(store)
    with access(store, actor=ENGINEER, purpose="improve_websites_and_ads") as use:
        pages = use.rows(WebVisit.page, where=[WebVisit.site == "www.example.test"])
        clicks = use.select(AdClick)
    assert [p for (p,) in pages] == ["/pricing"]
    assert len(clicks) == 1


@pytest.mark.clause("scope.web_unlinked")
def test_web_activity_is_never_linked_to_a_person(store: Store) -> None:
    build_world(store)
    with access(store, actor=OFFICER, purpose="improve_websites_and_ads") as use:
        with pytest.raises(PurposeDenied) as joined:
            use.rows(WebVisit.page, Person.id, where=[Person.id == 1])
        with pytest.raises(PurposeDenied) as by_account:
            use.select(AdClick, AdClick.site == Account.ref)
        with pytest.raises(PurposeDenied) as by_ip:
            use.select(WebVisit, WebVisit.ip_truncated == "192.0.2.0/24")
    for denied in (joined, by_account, by_ip):
        assert denied.value.clause == "scope.web_unlinked"
    with access(store, actor=OFFICER, purpose="subject_access") as use:
        with pytest.raises(PurposeDenied) as by_subject_access:
            use.select(WebVisit)
    assert by_subject_access.value.category == "web_activity"


@pytest.mark.clause("collect.requested")
@pytest.mark.parametrize("purpose", ["collect_payment", "subject_access"])
def test_no_purpose_can_read_a_card_security_code(store: Store, purpose: str) -> None:
    assert not hasattr(PaymentMethod, "card_security_code")
    actor = OFFICER if purpose == "subject_access" else BILLING
    with access(store, actor=actor, purpose=purpose) as use:
        with pytest.raises(PurposeDenied) as denied:
            use.fields(PaymentMethod, "card_last4", "card_security_code")
    assert denied.value.category == "payment"
    assert "never stored" in denied.value.reason


def test_fields_reads_only_the_named_fields(store: Store) -> None:
    build_world(store)
    with access(store, actor=BILLING, purpose="collect_payment") as use:
        rows = use.fields(PaymentMethod, "card_brand", "card_last4")
    assert [tuple(r) for r in rows] == [("visa", "4242")]


@pytest.mark.postgresql
@pytest.mark.clause("use.purposes.deliver_services")
def test_end_user_may_not_read_another_accounts_voicemail(store: Store) -> None:
    world = build_world(store)
    alice = Actor.customer(world.alice, world.us_account)
    with access(store, actor=alice, purpose="deliver_services") as use:
        with pytest.raises(PurposeDenied):
            use.select(Voicemail, Voicemail.account_id == world.ca_account)
        with pytest.raises(PurposeDenied):
            use.get(Voicemail, world.carol_voicemail)
        mine = use.select(Voicemail)
    assert [v.id for v in mine] == [world.alice_voicemail]


@pytest.mark.clause("use.purposes.deliver_services")
def test_end_user_sees_only_their_own_voicemail_not_a_colleagues(store: Store) -> None:
    world = build_world(store)
    alice = Actor.customer(world.alice, world.us_account)
    with access(store, actor=alice, purpose="deliver_services") as use:
        with pytest.raises(PurposeDenied):
            use.get(Voicemail, world.bob_voicemail)
        assert use.get(Voicemail, world.alice_voicemail).mailbox == "1001"
        with pytest.raises(NotFound):
            use.get(Voicemail, 999_999)


def test_customer_admin_sees_the_whole_account_and_nothing_else(store: Store) -> None:
    world = build_world(store)
    admin = Actor.customer(world.carol, world.ca_account, admin=True)
    with access(store, actor=admin, purpose="respond_to_requests") as use:
        people = use.select(Person)
        voicemail = use.select(Voicemail)
    assert [p.id for p in people] == [world.carol]
    assert [v.id for v in voicemail] == [world.carol_voicemail]


def test_end_users_may_not_read_account_wide_tables(store: Store) -> None:
    world = build_world(store)
    alice = Actor.customer(world.alice, world.us_account)
    with access(store, actor=alice, purpose="deliver_services") as use:
        with pytest.raises(PurposeDenied) as denied:
            use.select(PortingRequest)
        assert "own data" in denied.value.reason
        with pytest.raises(PurposeDenied):
            use.select(WebVisit)
        names = use.rows(
            Account.organization, Person.name, where=[Person.account_id == Account.id]
        )
    assert [tuple(r) for r in names] == [("Example Dental LLC", "Alice")]


def test_raw_sql_is_refused_because_it_cannot_be_checked(store: Store) -> None:
    with access(store, actor=SUPPORT, purpose="respond_to_requests") as use:
        with pytest.raises(PurposeDenied) as denied:
            use.select(Person, text("1 = 1"))  # type: ignore[arg-type]
    assert "raw SQL" in denied.value.reason


def test_grants_record_whose_data_was_read_by_id_only(store: Store) -> None:
    world = build_world(store)
    with access(store, actor=SUPPORT, purpose="respond_to_requests") as use:
        use.select(Person, Person.account_id == world.us_account)
    with store.session() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert json.loads(entry.subjects) == [world.alice, world.bob]
    assert "Alice" not in entry.details and "example.test" not in entry.details


def test_filtering_on_a_category_is_a_use_of_it(store: Store) -> None:
    build_world(store)
    with access(store, actor=BILLING, purpose="collect_payment") as use:
        with pytest.raises(PurposeDenied) as denied:
            use.select(
                PaymentMethod,
                PaymentMethod.account_id.in_(
                    select(Communication.account_id).where(
                        Communication.body.contains("fax")
                    )
                ),
            )
    assert denied.value.category == "communications"
