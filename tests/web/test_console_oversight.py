"""Oversight pages: audit entries, ledger, data map, ingest runs, subscribers.

Clauses: secure.measures (audit entries filtered by action, actor and
subject), disclose and disclose.jurisdictions (the ledger, per
subject), use.purposes (the data map reads the rules the gate enforces),
collect.service_use.call_records (a run's quarantined records with line
and reason, never the record), changes.subscribe (subscribers and counts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.collect.cdr.test_ingest import _account, row
from tests.web.console_world import OFFICER, Staffed, sign_in, staff_and_ann
from tests.web.live import app_client
from tutela.access import Actor
from tutela.access.roles import Role
from tutela.changes.subscriptions import subscribe
from tutela.collect.cdr.ingest import ingest_cdr
from tutela.config import Settings
from tutela.disclose.ledger import disclose
from tutela.store.db import Store
from tutela.store.models import AuditEntry, PolicySubscription

pytestmark = pytest.mark.clause("secure.measures")


@pytest.fixture
def staffed(store: Store) -> Staffed:
    return staff_and_ann(store)


@pytest.fixture
def client(staffed: Staffed, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


def test_audit_entries_filter_by_action_prefix_actor_and_subject(
    client: TestClient, staffed: Staffed, store: Store
) -> None:
    billing = Actor.staff(staffed.user_ids["billing@staff.test"], Role.billing)
    disclose(
        store,
        actor=billing,
        recipient="payment_processor",
        subjects=staffed.ann_person,
        categories=["payment"],
        purpose="collect_payment",
        country="US",
    )
    sign_in(client, "auditor@staff.test")
    by_subject = client.get(f"/console/audit/entries?subject={staffed.ann_person}")
    assert by_subject.status_code == 200
    assert "<td>disclose.allow</td>" in by_subject.text
    by_actor = client.get(f"/console/audit/entries?actor={billing.id}")
    rows = by_actor.text.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") >= 1 and "auth.user_added" not in rows
    with store.session() as session:
        total = len(session.scalars(select(AuditEntry.seq)).all())
        added = len(
            session.scalars(
                select(AuditEntry.seq).where(AuditEntry.action.like("auth.%"))
            ).all()
        )
    everything = client.get("/console/audit/entries")
    assert f"{total} entries;" in everything.text
    prefix = client.get("/console/audit/entries?action=auth.")
    assert f"{added} entries;" in prefix.text
    refused = client.get("/console/audit/entries?actor=<script>")
    assert refused.status_code == 400 and "<script>" not in refused.text


@pytest.mark.clause("disclose.jurisdictions")
def test_the_ledger_lists_decisions_and_answers_per_subject(
    client: TestClient, staffed: Staffed, store: Store
) -> None:
    billing = Actor.staff(staffed.user_ids["billing@staff.test"], Role.billing)
    disclose(
        store,
        actor=billing,
        recipient="payment_processor",
        subjects=staffed.ann_person,
        categories=["payment"],
        purpose="collect_payment",
        country="CA",
    )
    sign_in(client, "auditor@staff.test")
    page = client.get("/console/ledger")
    assert page.status_code == 200 and "payment_processor" in page.text
    assert "CA" in page.text and "allowed" in page.text
    mine = client.get(f"/console/ledger?subject={staffed.ann_person}")
    assert "payment_processor" in mine.text
    nobody = client.get("/console/ledger?subject=999999")
    assert "No disclosures." in nobody.text
    refused_only = client.get("/console/ledger?allowed=no")
    assert "No disclosures." in refused_only.text


@pytest.mark.clause("use.purposes")
def test_the_data_map_shows_the_rules_the_gate_enforces(client: TestClient) -> None:
    sign_in(client, "auditor@staff.test")
    page = client.get("/console/datamap")
    assert page.status_code == 200
    assert "<svg" in page.text and "<script" not in page.text
    payment = page.text.split("<strong>payment</strong>")[1].split("</tr>")[0]
    assert "collect_payment" in payment and "payment_processor" in payment
    assert "improve_websites_and_ads" not in payment
    web = page.text.split("<strong>web_activity</strong>")[1].split("</tr>")[0]
    assert "never linked to a person" in web


@pytest.mark.clause("collect.service_use.call_records")
def test_an_ingest_run_shows_where_and_why_records_were_refused(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    _account(store)
    path = tmp_path / "m.csv"
    path.write_text(row(seq=1) + row(seq=2, duration=-4) + '"ACME","1","2"\n')
    summary = ingest_cdr(store, path, format="asterisk-csv", account_ref="ACME")
    assert summary.rejected == 2
    sign_in(client, OFFICER)
    runs = client.get("/console/ingest")
    assert runs.status_code == 200 and "m.csv" in runs.text
    run_id = runs.text.split('href="/console/ingest/')[1].split('"')[0]
    page = client.get(f"/console/ingest/{run_id}")
    refused = page.text.split('<table id="refused">')[1]
    assert refused.count("<tr>") == 3  # the header and two refusals
    assert "4155550101" not in page.text  # the records stay in the quarantine file
    assert client.get("/console/ingest/999999").status_code == 404


@pytest.mark.clause("changes.subscribe")
def test_the_subscriptions_page_lists_subscribers_with_counts(
    client: TestClient, store: Store
) -> None:
    with store.session() as session:
        subscribe(session, address="sub1@example.com", verified=True)
        subscribe(session, address="sub2@example.com", verified=False)
        for address, opened in (
            ("sub3@example.com", True),
            ("sub4@example.com", False),
        ):
            session.add(
                PolicySubscription(
                    address=address,
                    verified=False,
                    channel="web",
                    confirmed_at=dt.datetime.now(dt.UTC) if opened else None,
                )
            )
    sign_in(client, OFFICER)
    page = client.get("/console/subscriptions")
    assert "4 subscription(s), 3 confirmed." in page.text
    rows = {
        line.split("</td>")[0].split("<td>")[-1]: line
        for line in page.text.splitlines()
        if "@example.com" in line
    }
    assert "by authenticated mail" in rows["sub1@example.com"]
    assert "<td>by mail</td>" in rows["sub2@example.com"]
    assert "by link" in rows["sub3@example.com"]
    assert "not yet" in rows["sub4@example.com"]
