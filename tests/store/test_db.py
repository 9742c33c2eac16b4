"""The store opens and migrates on both SQLite and PostgreSQL (both tests marked)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from tutela.store.db import Store
from tutela.store.models import Account, Base


@pytest.mark.postgresql
def test_store_migrates_every_model_table(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


@pytest.mark.postgresql
def test_account_round_trips(store: Store) -> None:
    with store.session() as s:
        s.add(Account(ref="ACC-1", organization="Acme Dental LLC", region="US"))
    with store.session() as s:
        account = s.scalars(select(Account).where(Account.ref == "ACC-1")).one()
        assert account.organization == "Acme Dental LLC"
        assert account.kind == "business"
