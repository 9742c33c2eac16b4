"""The gate opened inside a write: its record commits, or rolls back, with the write.

The tests of a write run on SQLite and PostgreSQL (marked `postgresql`): what
a write holds and gives back is the backend's own locking.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.access.world import build_world
from tutela.access import Actor, access
from tutela.access.roles import Role
from tutela.audit.log import audit_log
from tutela.errors import PurposeDenied
from tutela.store.db import Store
from tutela.store.models import Account, AuditEntry, Communication, Person

BILLING = Actor.staff(7, Role.billing)
COLLECT = Actor.system("collect")


class Abandoned(Exception):
    """The write gave up after its read."""


def entries(store: Store) -> list[tuple[str, str | None, dict[str, object]]]:
    with store.session() as s:
        rows = s.execute(
            select(AuditEntry.action, AuditEntry.purpose, AuditEntry.details).order_by(
                AuditEntry.seq
            )
        ).all()
    return [(a, p, json.loads(d)) for a, p, d in rows]


def organizations(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(Account.organization).order_by(Account.id)))


@pytest.mark.postgresql
@pytest.mark.clause("use.purposes")
@pytest.mark.clause("secure.measures")
def test_a_read_inside_a_write_commits_its_grant_with_the_write(store: Store) -> None:
    world = build_world(store)
    before = len(entries(store))
    with store.writing() as session:
        with access(
            store, actor=COLLECT, purpose="deliver_services", within=session
        ) as use:
            (account,) = use.select(Account, Account.id == world.us_account)
        # The row read is the caller's own: changing it is part of the write.
        account.organization = "Renamed Org"
    assert organizations(store)[0] == "Renamed Org"
    after = entries(store)
    assert len(after) == before + 1
    action, purpose, details = after[-1]
    assert (action, purpose) == ("use.grant", "deliver_services")
    assert details == {
        "categories": ["business_contact"],
        "rows": 1,
        "tables": ["accounts"],
    }
    assert audit_log(store).verify().ok


@pytest.mark.postgresql
@pytest.mark.clause("use.purposes")
@pytest.mark.clause("secure.measures")
def test_a_rolled_back_write_leaves_no_grant(store: Store) -> None:
    world = build_world(store)
    before = entries(store)
    head = audit_log(store).head()
    with pytest.raises(Abandoned), store.writing() as session:
        with access(
            store, actor=COLLECT, purpose="deliver_services", within=session
        ) as use:
            (account,) = use.select(Account, Account.id == world.us_account)
        account.organization = "Never Stored"
        session.flush()
        raise Abandoned
    assert "Never Stored" not in organizations(store)
    assert entries(store) == before
    assert audit_log(store).head() == head
    # The chain goes on from where it was: the next append links to it.
    with access(store, actor=COLLECT, purpose="deliver_services") as use:
        use.rows(Account.id)
    assert audit_log(store).verify().ok


@pytest.mark.postgresql
@pytest.mark.clause("use.purposes")
@pytest.mark.clause("secure.measures")
def test_a_refusal_inside_a_write_is_recorded_after_the_rollback(store: Store) -> None:
    build_world(store)
    before = entries(store)
    with pytest.raises(PurposeDenied), store.writing() as session:
        with access(
            store, actor=BILLING, purpose="collect_payment", within=session
        ) as use:
            # Counting people is a read of business contacts, which billing may do...
            use.rows(func.count(Person.id))
            # ...but support chats are not billing's to read.
            use.select(Communication)
    after = entries(store)
    # The grant went with the rolled-back write; the refusal stays on record.
    assert after[: len(before)] == before
    assert [(a, d["category"]) for a, _, d in after[len(before) :]] == [
        ("use.deny", "communications")
    ]
    assert audit_log(store).verify().ok


@pytest.mark.postgresql
@pytest.mark.clause("use.purposes")
def test_an_actor_refused_at_the_gate_inside_a_write_is_recorded(store: Store) -> None:
    with pytest.raises(PurposeDenied), store.session() as session:
        session.add(Account(ref="AC-W1", kind="business", organization="Kept?"))
        session.flush()
        with access(
            store, actor=BILLING, purpose="respond_to_requests", within=session
        ):
            pass
    assert "Kept?" not in organizations(store)
    action, purpose, details = entries(store)[-1]
    assert (action, purpose) == ("use.deny", "respond_to_requests")
    assert "may not invoke" in str(details["reason"])


@pytest.mark.postgresql
def test_appending_alone_inside_a_write_that_read_fails_instead_of_waiting(
    store: Store,
) -> None:
    # The write holds the audit head until it ends: an entry appended in a
    # transaction of its own would wait for it for ever (PostgreSQL) or until
    # the busy timeout (SQLite). It fails at once, and says why.
    with pytest.raises(RuntimeError, match="append after it ends"):
        with store.writing() as session:
            with access(
                store, actor=COLLECT, purpose="deliver_services", within=session
            ) as use:
                use.rows(Account.id)
            audit_log(store).append(actor="system:collect", action="test.alone")
    # Once the write has ended, appending alone works again.
    audit_log(store).append(actor="system:collect", action="test.alone")
    assert entries(store)[-1][0] == "test.alone"


def test_the_store_of_a_session_is_found_and_a_bare_session_refused(
    store: Store,
) -> None:
    from sqlalchemy.orm import Session

    with store.session() as session:
        assert Store.of(session) is store
    with Session(store.engine) as bare, pytest.raises(TypeError):
        Store.of(bare)
