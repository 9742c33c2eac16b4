"""Open the store: engine, sessions, key ring and schema migrations.

SQLite (in the data directory) is the embedded default; set
`TUTELA_DATABASE_URL` to use PostgreSQL. Either way the schema comes from the
Alembic migrations in `tutela/store/migrations`, applied on open.

Clause secure.measures: the data directory is private. `open_store` creates
it 0700 and the SQLite database 0600 before SQLite does (SQLite gives its
``-wal`` and ``-shm`` files the database's mode), and tightens them when an
older run left them readable to others. The `tutela` command also runs
under umask 077, so whatever else it writes is private too.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from tutela.config import Settings
from tutela.policy import DEFAULT_POLICY, Policy
from tutela.store.keys import KeyRing
from tutela.store.policy_in_effect import InEffect, in_effect
from tutela.store.turns import take_turns
from tutela.store.types import bind_key_ring

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BEGIN_OPTION = "tutela_sqlite_begin"
# How long a SQLite connection waits for another's lock (see `make_engine`).
SQLITE_BUSY_S = 10.0
_STORE_KEY = "tutela.store"


def write_first(conn: Connection) -> Connection:
    """Make ``conn``'s transactions take the write lock at BEGIN (on SQLite).

    For a unit of work that reads before it writes while other processes
    write too (ingests): it then waits for the lock (busy timeout) instead
    of failing. No effect on PostgreSQL, whose row locks need no such thing.
    """
    if conn.dialect.name == "sqlite":
        conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
    return conn


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    keys: KeyRing
    data_dir: Path
    policy_file: Path = DEFAULT_POLICY
    # Where audit checkpoints are also sent (a file or a URL), if anywhere.
    audit_witness: str | None = None

    def __post_init__(self) -> None:
        # Every session of this store knows it (`Store.of`): a function handed
        # only a session can still open the purpose gate inside that session.
        info = dict(self.sessions.kw.get("info") or {})
        info[_STORE_KEY] = self
        self.sessions.configure(info=info)

    @staticmethod
    def of(session: Session) -> Store:
        """The store `session` was opened from (by `sessions`, `session` or `writing`).

        `TypeError` for a session made some other way: the gate needs the
        store's policy and audit log, which a bare session does not carry.
        """
        found = session.info.get(_STORE_KEY)
        if not isinstance(found, Store):
            raise TypeError("the session was not opened from a tutela Store")
        return found

    def policy(self) -> Policy:
        """The policy in effect: the latest published version, else the policy file.

        See `tutela.store.policy_in_effect` (clause changes.effective_on_publication).
        """
        return self.policy_in_effect().policy

    def policy_in_effect(self) -> InEffect:
        """The policy in effect, with the published version it comes from."""
        with self.sessions() as session:
            return in_effect(session, fallback=self.policy_file)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session that holds the database's write lock from its first statement.

        On SQLite a plain BEGIN reads first; if another connection commits
        before this one writes, SQLite fails at once with "database is
        locked" instead of waiting. BEGIN IMMEDIATE takes the write lock up
        front and waits for it (busy_timeout), so read-check-write steps that
        race (spending a download link, counting a sign-in attempt) queue up.
        On PostgreSQL this is a plain transaction; lock rows with FOR UPDATE.
        """
        with self.sessions.begin() as session:
            if self.engine.dialect.name == "sqlite":
                session.connection(execution_options={BEGIN_OPTION: "IMMEDIATE"})
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def make_engine(
    url: str, keys: KeyRing, *, sqlite_busy_s: float = SQLITE_BUSY_S, **kwargs: Any
) -> Engine:
    """An engine on `url` whose encrypted columns use `keys`.

    ``sqlite_busy_s``: how long a SQLite connection waits for a lock held
    by another before it fails ("database is locked"). ``kwargs`` go to
    SQLAlchemy's `create_engine`.
    """
    # Bound values are personal data: keep them out of error messages and logs.
    engine = create_engine(url, hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_transactions(engine, busy_ms=int(sqlite_busy_s * 1000))
    bind_key_ring(engine.dialect, keys)
    return engine


def _sqlite_transactions(engine: Engine, *, busy_ms: int) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy drive.

    This is SQLAlchemy's documented recipe ("Serializable isolation /
    Savepoints / Transactional DDL"); it also enables foreign keys.
    """
    # First: units of work that write (web form posts) wait for their turn
    # in this process before BEGIN asks SQLite for anything (a BEGIN
    # IMMEDIATE that waited for its turn while holding the lock would
    # deadlock with the unit whose turn it is); see `tutela.store.turns`.
    take_turns(engine, wait_s=busy_ms / 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that reads and then writes cannot take the write lock
        # once another connection has committed since its read (SQLite answers
        # "database is locked" at once, whatever the busy timeout): a writer
        # that reads first asks for IMMEDIATE (`write_first`), which takes the
        # lock at BEGIN and waits for it.
        mode = conn.get_execution_options().get(BEGIN_OPTION, "")
        conn.exec_driver_sql(f"BEGIN {mode}".rstrip())


def load_keys(settings: Settings) -> KeyRing:
    if settings.field_keys is not None:
        return KeyRing.from_json(settings.field_keys.get_secret_value())
    return KeyRing.load_or_create(settings.key_ring_path)


def private_dir(path: Path) -> Path:
    """``path`` as a directory only its owner may use (created or tightened)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _tighten(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner may read (created empty, or tightened)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        _tighten(path, 0o600)
    return path


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if current & 0o077:
        path.chmod(mode)
        log.warning("store.permissions_tightened mode=%o->%o", current, mode)


def _private_sqlite(settings: Settings) -> None:
    """The SQLite database and its journal files, 0600 before SQLite opens them."""
    private_file(settings.sqlite_path)
    for suffix in ("-wal", "-shm", "-journal"):
        _tighten(
            settings.sqlite_path.with_name(settings.sqlite_path.name + suffix), 0o600
        )


def open_store(
    settings: Settings,
    *,
    migrate: bool = True,
    engine_options: Mapping[str, Any] | None = None,
) -> Store:
    """Open (and by default migrate) the store the settings point at.

    ``engine_options`` go to SQLAlchemy's `create_engine` (the web app sizes
    its connection pool with them).
    """
    private_dir(settings.data)
    if settings.database_url is None:
        _private_sqlite(settings)
    keys = load_keys(settings)
    engine = make_engine(
        settings.resolved_database_url(), keys, **dict(engine_options or {})
    )
    if migrate:
        upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Store(
        engine=engine,
        sessions=sessions,
        keys=keys,
        data_dir=settings.data,
        policy_file=settings.policy_file,
        audit_witness=settings.audit_witness,
    )


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` on this engine."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
