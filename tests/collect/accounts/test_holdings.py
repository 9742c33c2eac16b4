"""Assignment intervals: who held a number, an extension or an address, and when.

Clauses: collect.requested (phone number and extension assignments) and
rights.access (an export follows each identifier only while it was held).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from tutela.collect.accounts.contacts import (
    add_person,
    assign_extension,
    assign_number,
    close_account,
    confirm_phone,
    open_account,
    release_number,
)
from tutela.errors import InvalidInput
from tutela.store.db import upgrade
from tutela.store.models import Account, Holding

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def account(session: Session) -> Account:
    return open_account(session, organization="Acme Plumbing LLC", ref="ACC-1")


def _rows(session: Session, **match: object) -> list[Holding]:
    query = select(Holding).order_by(Holding.valid_from, Holding.id)
    for name, value in match.items():
        query = query.where(getattr(Holding, name) == value)
    return list(session.scalars(query))


@pytest.mark.clause("collect.requested")
def test_a_reassigned_extension_ends_the_previous_holders_interval(
    session: Session, account: Account
) -> None:
    ann = add_person(session, account=account, role="end_user", name="Ann", since=T0)
    dave = add_person(session, account=account, role="end_user", name="Dave", since=T0)
    assign_extension(session, account=account, extension="201", person=ann, since=T0)
    assign_extension(
        session, account=account, extension="201", person=dave, since=T0 + 5 * DAY
    )
    first, second = _rows(session, kind="extension")
    assert (first.person_id, second.person_id) == (ann.id, dave.id)
    assert first.valid_to is not None and second.valid_to is None
    assert first.valid_to.replace(tzinfo=dt.UTC) == T0 + 5 * DAY
    assert {first.evidence, second.evidence} == {"assigned"}
    # Assigning it to Dave again changes nothing.
    assign_extension(session, account=account, extension="201", person=dave)
    assert len(_rows(session, kind="extension")) == 2


@pytest.mark.clause("collect.requested")
def test_typed_contact_details_are_typed_holdings_of_the_person(
    session: Session, account: Account
) -> None:
    ann = add_person(
        session,
        account=account,
        role="contact",
        name="Ann",
        email="Ann@Example.COM",
        phone="(201) 555-0142",
        since=T0,
    )
    rows = _rows(session, person_id=ann.id)
    assert {(r.kind, r.value, r.evidence) for r in rows} == {
        ("email", "ann@example.com", "typed"),
        ("number", "+12015550142", "typed"),
    }
    confirm_phone(session, person=ann, since=T0 + DAY)
    verified = _rows(session, person_id=ann.id, evidence="verified")
    assert [r.value for r in verified] == ["+12015550142"]
    nobody = add_person(session, account=account, role="contact", name="Bo")
    with pytest.raises(InvalidInput, match="no contact phone"):
        confirm_phone(session, person=nobody)


@pytest.mark.clause("collect.requested")
def test_a_released_number_can_go_to_another_customer_with_its_history_kept(
    session: Session, account: Account
) -> None:
    assign_number(session, account=account, number="2015550142", since=T0)
    release_number(session, account=account, number="2015550142", at=T0 + DAY)
    other = open_account(session, organization="Other Co", ref="ACC-2")
    assign_number(session, account=other, number="2015550142", since=T0 + 2 * DAY)
    old, new = _rows(session, kind="number")
    assert (old.account_id, new.account_id) == (account.id, other.id)
    assert old.valid_to is not None and new.valid_to is None
    with pytest.raises(InvalidInput, match="not a number of this account"):
        release_number(session, account=account, number="2015550142")


@pytest.mark.clause("collect.requested")
def test_closing_an_account_ends_every_holding(
    session: Session, account: Account
) -> None:
    ann = add_person(
        session, account=account, role="admin", name="Ann", email="a@x.example"
    )
    assign_number(session, account=account, number="2015550142", assignee=ann)
    close_account(session, account)
    assert account.status == "closed"
    assert all(r.valid_to is not None for r in _rows(session, account_id=account.id))


@pytest.mark.clause("collect.requested")
def test_the_migration_carries_todays_assignments_over(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0009")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO accounts (id, ref, kind, organization, region, "
                "jurisdiction, status, created_at) VALUES (1, 'A-1', 'business', "
                "'Acme', 'US', 'US', 'active', '2024-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO people (id, account_id, role, name, email, phone, "
                "created_at) VALUES (1, 1, 'admin', 'Ann', 'Ann@x.example', "
                "'+12015550142', '2024-02-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO phone_numbers (id, account_id, e164, assignee_id, status, "
                "created_at) VALUES (1, 1, '+12015550100', 1, 'active', "
                "'2024-03-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO extensions (id, account_id, extension, person_id, "
                "created_at) VALUES (1, 1, '201', 1, '2024-04-01 00:00:00')"
            )
        )
    upgrade(engine, "0010")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT kind, COALESCE(e164, extension, email), evidence, valid_from "
                "FROM holdings ORDER BY valid_from, id"
            )
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("number", "+12015550142", "typed", "2024-02-01 00:00:00"),
        ("email", "ann@x.example", "typed", "2024-02-01 00:00:00"),
        ("number", "+12015550100", "assigned", "2024-03-01 00:00:00"),
        ("extension", "201", "assigned", "2024-04-01 00:00:00"),
    ]
