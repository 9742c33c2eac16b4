"""Concurrent writers wait their turn, never crash: access requests at once.

Clauses rights.access.request (every request made through the form or the
API is opened and its identity check started, however many arrive at once)
and secure.measures.

On SQLite a transaction that reads and then writes fails at once ("database
is locked") when another writer commits in between; the load bench found
requests answered 500 and follow-ups (the identity check) lost that way.
Request intake, the follow-up and every case change now take the write lock
first and wait for it (busy timeout). Here `WRITERS` threads open requests
at once, each with its follow-up, on both databases.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from tests.tally import tried
from tutela.config import Settings
from tutela.rights.requests import open_request
from tutela.store.db import Store
from tutela.store.models import SarCase

WRITERS = 8
REQUESTS = 32


@pytest.mark.postgresql
@pytest.mark.clause("rights.access.request")
def test_concurrent_access_requests_are_all_opened_and_followed_up(
    store: Store, settings: Settings
) -> None:
    def one(n: int) -> str:
        return open_request(
            store, email=f"writer-{n}@example.test", settings=settings, channel="api"
        )

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        refs = list(pool.map(one, range(REQUESTS)))
    assert len(set(refs)) == REQUESTS
    with store.session() as session:
        states = list(session.scalars(select(SarCase.state)))
    assert len(states) == REQUESTS
    # The follow-up ran for every one: none is left merely "received".
    assert "received" not in states, states
    tried("concurrent writes survived", REQUESTS)
