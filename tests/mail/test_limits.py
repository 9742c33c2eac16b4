"""Per-address mail limits: counted in the database, shared by every process.

Clauses: changes.subscribe and rights.access.request (a request names an
address somebody typed; at most so many mails go to one address, however
many clients ask). SQLite and PostgreSQL; two real processes on one
database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from tutela.config import Settings
from tutela.mail import AddressLimited, AddressLimits, count_request, limit_request
from tutela.store import Clock
from tutela.store.db import Store
from tutela.store.models import MailLimit

VICTIM = "Victim@Example.org"
LIMITS = AddressLimits(per_hour=3, per_day=10)
NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def ask(
    store: Store, address: str = VICTIM, *, now: dt.datetime | None = None
) -> int | None:
    with store.writing() as session:
        return count_request(session, address, limits=LIMITS, now=now)


@pytest.mark.clause("changes.subscribe")
def test_the_fourth_request_in_an_hour_waits_until_the_hour_ends(store: Store) -> None:
    at = NOON + dt.timedelta(minutes=45)
    assert [ask(store, now=at) for _ in range(3)] == [None, None, None]
    assert ask(store, now=at) == 15 * 60
    # The same address however it is written; another address is not held up.
    assert ask(store, " victim@example.ORG ", now=at) == 15 * 60
    assert ask(store, "someone@example.org", now=at) is None
    assert ask(store, now=NOON + dt.timedelta(hours=1)) is None


@pytest.mark.clause("changes.subscribe")
def test_ten_a_day_then_nothing_until_the_next_utc_day(store: Store) -> None:
    allowed = [
        ask(store, now=NOON + dt.timedelta(hours=h)) for h in range(4) for _ in range(3)
    ]
    assert allowed.count(None) == 10
    waits = [w for w in allowed if w is not None]
    assert waits == [9 * 3600, 9 * 3600]  # refused at 15:00: nine hours to go
    assert ask(store, now=dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC)) is None


@pytest.mark.clause("changes.subscribe")
def test_only_a_keyed_digest_is_kept_and_only_while_its_window_lasts(
    store: Store,
) -> None:
    ask(store, now=NOON)
    with store.session() as session:
        rows = list(session.scalars(select(MailLimit)))
    assert {r.span for r in rows} == {"hour", "day"}
    assert all("example" not in r.digest and len(r.digest) == 64 for r in rows)
    ask(store, "other@example.org", now=NOON + dt.timedelta(days=2))
    with store.session() as session:
        left = list(session.scalars(select(MailLimit)))
    assert len(left) == 2 and all(r.digest != rows[0].digest for r in left)


@pytest.mark.clause("changes.subscribe")
def test_a_refused_request_is_not_counted(store: Store, clock: Clock) -> None:
    for _ in range(3):
        limit_request(store, VICTIM, limits=LIMITS)
    for _ in range(5):
        with pytest.raises(AddressLimited) as refused:
            limit_request(store, VICTIM, limits=LIMITS)
    assert refused.value.status == 429 and refused.value.retry_after_s > 0
    assert "example" not in refused.value.message
    with store.session() as session:
        counts = {r.span: r.count for r in session.scalars(select(MailLimit))}
    assert counts == {"hour": 3, "day": 3}
    clock.advance(dt.timedelta(hours=1))
    limit_request(store, VICTIM, limits=LIMITS)  # a new hour


CHILD = textwrap.dedent(
    """
    import datetime as dt, json, sys
    from tutela.config import Settings
    from tutela.mail import AddressLimited, AddressLimits, limit_request
    from tutela.store.db import open_store

    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    sys.stdin.readline()  # both processes start together
    store = open_store(Settings())
    allowed = 0
    for _ in range(8):
        try:
            limit_request(store, "victim@example.org",
                          limits=AddressLimits(3, 10), now=now)
            allowed += 1
        except AddressLimited:
            pass
    store.close()
    print(json.dumps(allowed))
    """
)


@pytest.mark.clause("changes.subscribe")
def test_two_processes_on_one_database_share_the_limit(
    store: Store, settings: Settings
) -> None:
    env = dict(os.environ, TUTELA_DATA=str(settings.data))
    if settings.database_url:
        env["TUTELA_DATABASE_URL"] = settings.database_url
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [child.communicate("go\n", timeout=300)[0] for child in children]
    assert all(child.returncode == 0 for child in children)
    allowed = [json.loads(out) for out in outputs]
    assert sum(allowed) == 3  # not 3 each: one count in the database
    with store.session() as session:
        counts = {r.span: r.count for r in session.scalars(select(MailLimit))}
    assert counts == {"hour": 3, "day": 3}
