"""Shared fixtures: a store on SQLite AND on a real PostgreSQL, for every test that asks.

Each test gets its own database (PostgreSQL: cloned from a migrated template;
SQLite: a fresh file), so tests commit for real and never see each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.orm import Session

from tests.postgres_server import PostgresServer, start_postgres
from tutela.config import Settings
from tutela.store import CLOCK, Clock
from tutela.store.db import Store, make_engine, open_store, upgrade
from tutela.store.keys import KeyRing

BACKENDS = ["sqlite", "postgresql"]
# Prints what the run tried (inputs fuzzed, ...) at its end.
pytest_plugins = ["tests.tally"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | str]:
    """The PostgreSQL server for this run (or the URL given in the environment)."""
    given = os.environ.get("TUTELA_TEST_DATABASE_URL")
    if given:
        yield given
        return
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


def _admin_url(postgres: PostgresServer | str) -> str:
    return postgres.admin_url if isinstance(postgres, PostgresServer) else postgres


def _db_url(postgres: PostgresServer | str, name: str) -> str:
    base = _admin_url(postgres)
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer | str) -> str:
    """A database migrated once per run; each test clones it."""
    name = f"tutela_template_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_url(postgres), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(_sqlalchemy(_db_url(postgres, name)), KeyRing.generate())
    upgrade(engine)
    engine.dispose()
    return name


def _sqlalchemy(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def new_postgres_database(postgres: PostgresServer | str, template: str) -> str:
    name = f"tutela_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_url(postgres), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return _db_url(postgres, name)


def drop_postgres_database(postgres: PostgresServer | str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_admin_url(postgres), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh, empty store on the parametrised backend."""
    data = tmp_path / "tutela-data"
    if request.param == "sqlite":
        return Settings(data=data)
    postgres = request.getfixturevalue("postgres")
    template = request.getfixturevalue("postgres_template")
    url = new_postgres_database(postgres, template)
    # Dropped after the test: hundreds of left-over copies make the server's
    # shutdown and the removal of its directory the slowest part of a run.
    request.addfinalizer(lambda: drop_postgres_database(postgres, url))
    return Settings(data=data, database_url=url)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def session(store: Store) -> Iterator[Session]:
    """A session on a fresh store; commit freely, the database is thrown away."""
    with store.sessions() as s:
        yield s


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The product's clock; a test moves it past a waiting period (never sets one to 0)."""
    try:
        yield CLOCK
    finally:
        CLOCK.reset()
