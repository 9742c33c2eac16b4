"""The store, salts and country lookup the web-activity routes share, opened once per app.

Policy: scope.web_unlinked. The salts that key visitor hashes live in
``<data>/salts`` (a :class:`~tutela.collect.weblog.DirectorySaltStore`), never in
the database, so a database dump cannot recompute a hash.

Tests override :func:`get_web_session` (``app.dependency_overrides``). When
``tutela/web/deps.py`` grows a shared session dependency, these move there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tutela.collect.weblog import CountryLookup, SaltStore
from tutela.collect.weblog import default_country_lookup as _default_country_lookup
from tutela.collect.weblog.ingest import salts_for
from tutela.config import Settings
from tutela.store import Store, open_store

_lock = threading.Lock()

WEB_THREADS: Final = 40
"""Requests whose handlers run at once (the worker threads `tutela.web.app` allows)."""
DB_WAIT_S: Final = 30
"""Longest wait for a pooled connection or a lock (SQLite's write lock, a
PostgreSQL row lock): then the request is answered 503."""


def engine_options(settings: Settings) -> dict[str, Any]:
    """The web app's engine: a connection for every handler thread, bounded waits.

    Each handler holds at most one connection at a time, so with as many
    connections as threads none waits on the pool; if one does (a handler
    that opens a second session), it waits `DB_WAIT_S` seconds and the
    request is answered 503 (`tutela.web.errors.database_busy`), as is a
    statement that waited that long for a lock. Form posts on SQLite queue
    for its one write lock (`tutela.store.writes_expected`): under a burst
    of posts on a busy machine the last in line waits several seconds, so
    the web waits longer than the CLI's ten.
    """
    options: dict[str, Any] = {
        "pool_size": 10,
        "max_overflow": WEB_THREADS - 10,
        "pool_timeout": DB_WAIT_S,
    }
    if settings.resolved_database_url().startswith("postgresql"):
        options["connect_args"] = {"options": f"-c lock_timeout={DB_WAIT_S * 1000}"}
    else:
        options["sqlite_busy_s"] = DB_WAIT_S
    return options


def get_web_store(request: Request) -> Store:
    """The app's store, opened (and migrated) on first use."""
    state = request.app.state
    with _lock:
        store: Store | None = getattr(state, "web_store", None)
        if store is None:
            store = open_store(
                state.settings, engine_options=engine_options(state.settings)
            )
            state.web_store = store
    return store


def get_web_session(
    store: Annotated[Store, Depends(get_web_store)],
) -> Iterator[Session]:
    """A session that commits when the handler returns and rolls back on error."""
    with store.session() as session:
        yield session


def get_salts(request: Request) -> SaltStore:
    """The app's salt store (one object, so its cache is shared by requests)."""
    state = request.app.state
    with _lock:
        salts: SaltStore | None = getattr(state, "web_salts", None)
        if salts is None:
            salts = salts_for(state.settings.data)
            state.web_salts = salts
    return salts


@lru_cache(maxsize=1)
def country_lookup() -> CountryLookup:
    """The offline IP-to-country lookup, loaded once per process."""
    return _default_country_lookup()


WebSessionDep = Annotated[Session, Depends(get_web_session)]
SaltsDep = Annotated[SaltStore, Depends(get_salts)]
WebStoreDep = Annotated[Store, Depends(get_web_store)]

__all__ = [
    "DB_WAIT_S",
    "SaltsDep",
    "WEB_THREADS",
    "WebSessionDep",
    "WebStoreDep",
    "country_lookup",
    "engine_options",
    "get_salts",
    "get_web_session",
    "get_web_store",
]
