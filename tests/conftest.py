"""Shared fixtures: a fresh store for every test that asks, on SQLite (and PostgreSQL).

Each test gets its own database, so tests commit for real and never see
each other:

- SQLite: a copy of a database file migrated once per run (per xdist
  worker), `sqlite_template`; the test's store still opens through
  `open_store`, which finds the schema at head.
- PostgreSQL: a clone (``CREATE DATABASE ... TEMPLATE``) of a database
  migrated once per run, dropped after the test.

Which backend. `settings` (and `store`, `session`, everything built on them)
is SQLite's unless the test is marked ``@pytest.mark.postgresql``; a marked
test runs twice, ``[sqlite]`` and ``[postgresql]``. This replaces the old
rule "every store test on both backends, always" (STYLE.md rule 18): the
two backends share the code above the dialect, so running that code twice
proved nothing twice and cost half the suite's time. Mark a test when what
it proves depends on the backend:

- SQL a dialect runs differently: COPY and bulk loads, upserts (``ON
  CONFLICT``), raw SQL, dates in SQL (retention sweeps, windows, report
  days), constraints, the driver's encodings, what reaches the disk (a
  database file, a ``pg_dump``), migrations against the models;
- concurrency: locks, ``FOR UPDATE``, ``BEGIN IMMEDIATE``, parallel writers,
  the purpose gate inside a caller's write (``access(..., within=session)``);
- the audit log's head row and its chain under concurrent appends;
- crash recovery (tests/faults, which build their own twin stores);
- and one smoke test per test package, so every area runs end to end on
  PostgreSQL at least once.

The PostgreSQL server is started once per worker (tests/postgres_server.py)
and dies with the process that started it, however that process ends.

Password hashing: the run hashes with cheap argon2 parameters
(tests/hashing.py, set below at import); the production parameters are
checked by tests/auth/test_password_cost.py.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.orm import Session

from tests.hashing import use_cheap_hashing
from tests.postgres_server import PostgresServer, start_postgres
from tutela.config import Settings
from tutela.store import CLOCK, Clock
from tutela.store.db import (
    Store,
    make_engine,
    open_store,
    private_dir,
    private_file,
    upgrade,
)
from tutela.store.keys import KeyRing

BACKENDS = ["sqlite", "postgresql"]
# The marker (registered in pyproject.toml) that runs a store test on
# PostgreSQL as well (see above).
POSTGRESQL = "postgresql"
# Prints what the run tried (inputs fuzzed, ...) at its end.
pytest_plugins = ["tests.tally"]

# Bytecode caches (gitignored) are written even under PYTHONDONTWRITEBYTECODE:
# without them each worker recompiles the package and the test modules, and
# every store the product opens recompiles the 16 migration files Alembic
# reads to see that the schema is at head. Subprocesses read what this wrote.
sys.dont_write_bytecode = False

# argon2id at its minimum cost (tests/hashing.py): the suite hashes and
# verifies a few hundred passwords, each about a second at production's cost.
use_cheap_hashing()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`backend`: both for tests marked ``postgresql``, SQLite for the rest."""
    marked = metafunc.definition.get_closest_marker(POSTGRESQL) is not None
    if "backend" not in metafunc.fixturenames:
        # A mark on a test with no store would silently prove nothing twice
        # (a module-wide mark may cover such tests; they run once).
        if marked and not _module_wide(metafunc):
            raise ValueError(
                f"{metafunc.definition.nodeid} is marked postgresql but asks for "
                "no store (settings, store, session): the mark does nothing"
            )
        return
    metafunc.parametrize("backend", BACKENDS if marked else BACKENDS[:1], indirect=True)


def _module_wide(metafunc: pytest.Metafunc) -> bool:
    own = metafunc.definition.own_markers
    return not any(m.name == POSTGRESQL for m in own)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database of this test's store: "sqlite", or "postgresql" if marked."""
    return str(getattr(request, "param", "sqlite"))


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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once per run; each store copies it.

    Its key ring stays behind: the migrations write no encrypted value, so
    the copy is an empty store that the test's own key ring opens.
    """
    made = Settings(data=tmp_path_factory.mktemp("sqlite-template") / "data")
    open_store(made).close()  # closing checkpoints the WAL into the file
    return made.sqlite_path


def fresh_sqlite_data(data: Path, template: Path) -> Path:
    """`data` as a data directory holding a migrated, empty SQLite store.

    The same modes `open_store` gives a new one (directory 0700, file 0600).
    """
    private_dir(data)
    target = private_file(Settings(data=data).sqlite_path)
    shutil.copyfile(template, target)
    return data


@pytest.fixture
def settings(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Settings:
    """Settings for a fresh, empty store: SQLite, or PostgreSQL in a marked test."""
    data = tmp_path / "tutela-data"
    if backend == "sqlite":
        fresh_sqlite_data(data, request.getfixturevalue("sqlite_template"))
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
    # The schema is at head already (a copy or clone of a migrated template):
    # asking Alembic again would load all 16 migration files for nothing.
    # The product's own opens (commands, the web app) still migrate.
    opened = open_store(settings, migrate=False)
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
