"""Under load the web app answers 503 (busy, try again), never 500, and most requests succeed.

Clause: secure.measures (the console stays usable under a burst of posts;
a failure never shows the exception). Measured before: of 40 concurrent
console posts, most got a 500, an unhandled "database is locked" (SQLite:
a post that read could not write once another had committed) or a pool
timeout. Now posts take turns for SQLite's write lock
(`tutela.store.turns`), the web engine has a connection per handler
thread, and what is still busy gets 503 with ``Retry-After``.

Real HTTP to a real uvicorn server on a free port, on SQLite and on
PostgreSQL. The busy database is real too: another connection holds the
lock the request needs (SQLite's write lock, a PostgreSQL row lock), or
holds the pool's only connection, while the web store waits a short time.

Not done: retrying a request that met a serialisation failure. A request
is several transactions (sign-in check, the change, its audit record);
replaying it after one of them failed would repeat the ones that
committed. The work that can safely retry does so itself (an access
request, `tutela.rights.requests`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx2 as httpx
import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.web.live import live_server
from tests.web.portal_world import PASSWORD, csrf_of
from tutela.auth.signin import add_user
from tutela.config import Settings
from tutela.store import Store, open_store
from tutela.store.models import User
from tutela.web.app import create_app
from tutela.web.errors import RETRY_AFTER_S, database_busy

pytestmark = pytest.mark.clause("secure.measures")

POSTS = 40
MUST_SUCCEED = 35
OFFICER = "officer@staff.test"


def _signed_in(base: str) -> tuple[dict[str, str], str]:
    """The officer's session cookies and CSRF token, signed in over HTTP."""
    with httpx.Client(base_url=base, timeout=60) as http:
        form = http.get("/login")
        answer = http.post(
            "/login",
            data={"email": OFFICER, "password": PASSWORD, "csrf": csrf_of(form.text)},
        )
        assert answer.status_code == 303, answer.text
        home = http.get(answer.headers["location"])
        return dict(http.cookies), csrf_of(home.text)


def test_forty_concurrent_console_posts_get_no_500_and_most_succeed(
    store: Store, settings: Settings
) -> None:
    add_user(store, email=OFFICER, role="privacy_officer", password=PASSWORD)
    # Forty staff users to disable, one per post (no password: no hashing).
    targets = [
        add_user(store, email=f"agent{n}@staff.test", role="support_agent").id
        for n in range(POSTS)
    ]
    with live_server(create_app(settings)) as base:
        cookies, csrf = _signed_in(base)
        start = threading.Barrier(POSTS)

        def disable(user_id: int) -> httpx.Response:
            with httpx.Client(base_url=base, timeout=120, cookies=cookies) as http:
                start.wait()
                return http.post(
                    f"/console/users/{user_id}/disable", data={"csrf": csrf}
                )

        with ThreadPoolExecutor(POSTS) as pool:
            answers = list(pool.map(disable, targets))
    statuses = Counter(a.status_code for a in answers)
    assert statuses[500] == 0, statuses
    assert statuses[303] >= MUST_SUCCEED, statuses
    assert set(statuses) <= {303, 503}, statuses
    for answer in answers:
        if answer.status_code == 503:
            assert answer.headers["retry-after"] == str(RETRY_AFTER_S)
    # Each post that succeeded did its work; each refused one changed nothing.
    done = {t for t, a in zip(targets, answers, strict=True) if a.status_code == 303}
    with store.session() as session:
        disabled = set(
            session.scalars(select(User.id).where(User.disabled_at.is_not(None)))
        )
    assert disabled == done


@contextmanager
def _lock_held(settings: Settings) -> Iterator[None]:
    """Another connection holds what an access request must write: SQLite's
    write lock, or on PostgreSQL a lock on the table of requests that lets
    others read it but not add to it."""
    if settings.database_url is None:
        other = sqlite3.connect(settings.sqlite_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with psycopg.connect(settings.database_url) as holder:
        holder.execute("LOCK TABLE sar_cases IN SHARE ROW EXCLUSIVE MODE")
        yield
        holder.rollback()


def _quick_to_give_up(settings: Settings, **pool: Any) -> Store:
    """The web store, waiting half a second for a lock (the server waits 30)."""
    options: dict[str, Any] = dict(pool)
    if settings.database_url is None:
        options["sqlite_busy_s"] = 0.5
    else:
        options["connect_args"] = {"options": "-c lock_timeout=500"}
    return open_store(settings, engine_options=options)


def test_a_post_that_meets_a_held_lock_gets_503_with_retry_after(
    store: Store, settings: Settings
) -> None:
    app = create_app(settings)
    app.state.web_store = _quick_to_give_up(settings)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        with _lock_held(settings):
            api = http.post("/api/sar", json={"email": "pat@example.com"})
            page = http.post(
                "/rights/access",
                data={"name": "Pat Example", "email": "pat@example.com"},
            )
        after = http.post("/api/sar", json={"email": "pat@example.com"})
    assert api.status_code == 503
    assert api.headers["retry-after"] == str(RETRY_AFTER_S)
    body = api.json()
    assert body["ok"] is False and body["status"] == 503
    assert "busy" in body["error"] and "try again" in body["error"]
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Busy</h1>" in page.text and "try again" in page.text
    assert "pat@example.com" not in api.text + page.text
    # Nothing was wrong with the request: once the lock is gone it is served.
    assert after.status_code == 202, after.text


def test_a_request_that_finds_no_free_connection_gets_503(
    store: Store, settings: Settings
) -> None:
    app = create_app(settings)
    web_store = _quick_to_give_up(
        settings, pool_size=1, max_overflow=0, pool_timeout=0.5
    )
    app.state.web_store = web_store
    with live_server(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        with web_store.engine.connect():  # the pool's only connection, held
            held = http.post("/api/sar", json={"email": "pat@example.com"})
        freed = http.post("/api/sar", json={"email": "pat@example.com"})
    assert held.status_code == 503, held.text
    assert held.headers["retry-after"] == str(RETRY_AFTER_S)
    assert freed.status_code == 202, freed.text


def _conflict(store: Store) -> BaseException:
    """A real write conflict: read in one transaction, another commits a
    change, the first then writes (SQLite: its snapshot is stale;
    PostgreSQL, repeatable read: a serialisation failure)."""
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, n INTEGER)"))
        conn.execute(text("INSERT INTO scratch VALUES (1, 0)"))
    first = store.engine.connect()
    if store.engine.dialect.name == "postgresql":
        first = first.execution_options(isolation_level="REPEATABLE READ")
    try:
        with first.begin():
            first.execute(text("SELECT n FROM scratch WHERE id = 1")).scalar()
            with store.engine.begin() as second:
                second.execute(text("UPDATE scratch SET n = 1 WHERE id = 1"))
            with pytest.raises(DBAPIError) as caught:
                first.execute(text("UPDATE scratch SET n = 2 WHERE id = 1"))
    finally:
        first.close()
    return caught.value


def test_a_write_conflict_counts_as_busy_and_a_broken_statement_does_not(
    store: Store,
) -> None:
    assert database_busy(_conflict(store))
    with pytest.raises(DBAPIError) as broken, store.engine.begin() as conn:
        conn.execute(text("INSERT INTO scratch VALUES (1, 5)"))  # duplicate key
    assert not database_busy(broken.value)
    assert not database_busy(ValueError("a bug, not a busy database"))
