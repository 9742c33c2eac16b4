"""Each of the policy's eight purposes has a code path that reads through the gate.

One test per purpose, tagged with its clause; each also shows the gate
refusing a role the purpose is not for (the path is not a way around it).
The paths of deliver_services, respond_to_requests and
improve_websites_and_ads are proved where they live (voicemail, rights,
web reporting); `test_every_purpose_has_a_code_path` ties all eight to code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.access.world import World, build_world
from tests.collect.cdr.test_ingest import row
from tests.samples import REPO
from tutela.access import Actor
from tutela.access.roles import Role
from tutela.changes.service_notices import KIND, notify_service_changes
from tutela.collect.cdr.ingest import ingest_cdr
from tutela.conformance.code_purposes import purposes_named_in_code
from tutela.errors import InvalidInput, PurposeDenied
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.purposes import (
    billing_statement,
    call_outcomes,
    extension_directory,
    service_contacts,
)
from tutela.store.db import Store
from tutela.store.models import AuditEntry, OutboxMessage

START = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
END = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
SUPPORT = Actor.staff(5, Role.support_agent)


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    built = build_world(store)
    path = tmp_path / "Master.csv"
    lines = row(code="TEST-US", seq=1) + row(code="TEST-US", seq=2, uid="1.2")
    lines += row(code="TEST-CA", seq=1, uid="1.3").replace('"ANSWERED"', '"BUSY"')
    path.write_text(lines, encoding="utf-8")
    ingest_cdr(store, path, format="asterisk-csv")
    return built


def _audited(store: Store, purpose: str) -> bool:
    with store.session() as s:
        found = s.scalars(
            select(AuditEntry.seq).where(
                AuditEntry.action == "use.grant", AuditEntry.purpose == purpose
            )
        ).first()
    return found is not None


@pytest.mark.clause("use.purposes.collect_payment")
def test_the_billing_run_reads_calls_and_the_card_to_collect_payment(
    store: Store, world: World
) -> None:
    run = Actor.system("billing_run")
    bill = billing_statement(
        store, actor=run, account_id=world.us_account, start=START, end=END
    )
    assert (bill.calls, bill.billable_seconds, bill.card) == (
        2,
        116,
        "visa ending 4242",
    )
    empty = billing_statement(
        store, actor=run, account_id=world.ca_account, start=START, end=END
    )
    assert (empty.calls, empty.card) == (1, None)
    assert _audited(store, "collect_payment")
    with pytest.raises(PurposeDenied):
        billing_statement(
            store, actor=SUPPORT, account_id=world.us_account, start=START, end=END
        )
    with pytest.raises(InvalidInput):
        billing_statement(store, actor=run, account_id=1, start=END, end=START)


@pytest.mark.clause("use.purposes.communicate")
def test_billing_staff_find_whom_to_tell_about_the_services(
    store: Store, world: World
) -> None:
    billing = Actor.staff(7, Role.billing)
    contacts = service_contacts(store, actor=billing, account_id=world.ca_account)
    assert [(c.person_id, c.email) for c in contacts] == [
        (world.carol, "carol@example.test")
    ]
    # End users are not the account's contacts.
    assert service_contacts(store, actor=billing, account_id=world.us_account) == []
    with pytest.raises(PurposeDenied):
        service_contacts(store, actor=SUPPORT, account_id=world.ca_account)


@pytest.mark.clause("use.purposes.customize_services")
def test_a_customer_admin_builds_the_dial_by_name_directory_of_their_account(
    store: Store, world: World
) -> None:
    admin = Actor.customer(world.alice, world.us_account, admin=True)
    assert extension_directory(store, actor=admin, account_id=world.us_account) == [
        ("1001", "Alice"),
        ("1002", "Bob"),
    ]
    # The gate keeps a customer to their own account.
    with pytest.raises(PurposeDenied, match="own account"):
        extension_directory(store, actor=admin, account_id=world.ca_account)
    with pytest.raises(PurposeDenied):
        extension_directory(
            store, actor=Actor.staff(7, Role.billing), account_id=world.us_account
        )


@pytest.mark.postgresql
@pytest.mark.clause("use.purposes.improve_services")
def test_quality_analysis_sees_how_calls_end_in_aggregate_only(
    store: Store, world: World
) -> None:
    job = Actor.system("quality_analysis")
    outcomes = call_outcomes(store, actor=job, since=START)
    assert [(o.disposition, o.calls, o.seconds) for o in outcomes] == [
        ("ANSWERED", 2, 120),
        ("BUSY", 1, 60),
    ]
    assert call_outcomes(store, actor=job, since=END) == []
    with pytest.raises(PurposeDenied):
        call_outcomes(store, actor=Actor.staff(7, Role.billing), since=START)


@pytest.mark.clause("use.purposes.notify_service_changes")
def test_a_service_change_is_queued_once_to_each_admin_and_contact(
    store: Store, world: World
) -> None:
    job = Actor.system("change_notices")
    queued = notify_service_changes(
        store,
        actor=job,
        subject="Maintenance on 5 March",
        body="Calls may drop for a minute at 02:00 UTC.",
        sender="legal@jive.example",
    )
    with store.session() as s:
        sent = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == KIND)).all()
        to = sorted(m.to_address for m in sent)
    assert queued == 1 and to == ["carol@example.test"]
    with pytest.raises(InvalidInput, match="one line"):
        notify_service_changes(
            store, actor=job, subject="a\r\nBcc: x@y", body="b", sender="l@j.example"
        )
    with pytest.raises(PurposeDenied):
        notify_service_changes(
            store, actor=SUPPORT, subject="s", body="b", sender="l@j.example"
        )


@pytest.mark.clause("use.purposes")
def test_every_purpose_has_a_code_path() -> None:
    policy = load_policy(DEFAULT_POLICY)
    declared = {p.id for p in policy.meaning.purposes}
    used = {n.purpose for n in purposes_named_in_code(REPO / "tutela")}
    assert declared <= used, sorted(declared - used)
