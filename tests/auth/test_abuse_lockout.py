"""Abuse: parallel guesses cannot outrun the sign-in lockout (SQLite and PostgreSQL).

Clause: secure.measures. An attacker who fires many guesses at once must get
no more password checks than the lockout allows: the attempt is counted
before the password is checked, in one step no other attempt can interleave
with. Threads share the real store, as the web server's workers do.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tutela.auth.signin import (
    AuthenticationFailed,
    AuthSettings,
    LockedOut,
    add_user,
    sign_in,
)
from tutela.store.db import Store

pytestmark = pytest.mark.clause("secure.measures")

PASSWORD = "correct horse battery staple"
PARALLEL = 40
RULES = AuthSettings()


def _guess(store: Store, email: str, start: threading.Barrier) -> str:
    start.wait(60)
    try:
        sign_in(store, email=email, password="wrong guess 12345", rules=RULES)
    except LockedOut:
        return "locked"
    except AuthenticationFailed:
        return "checked"
    return "signed in"


def _storm(store: Store, email: str) -> list[str]:
    start = threading.Barrier(PARALLEL)
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = [pool.submit(_guess, store, email, start) for _ in range(PARALLEL)]
        return [f.result(timeout=300) for f in futures]


@pytest.mark.postgresql
def test_forty_parallel_wrong_passwords_then_the_right_one_do_not_sign_in(
    store: Store,
) -> None:
    add_user(store, email="po@staff.test", role="privacy_officer", password=PASSWORD)
    outcomes = _storm(store, "po@staff.test")
    # Only max_failures guesses ever reached the password check.
    assert outcomes.count("checked") == RULES.max_failures, outcomes
    assert outcomes.count("locked") == PARALLEL - RULES.max_failures
    with pytest.raises(LockedOut):
        sign_in(store, email="po@staff.test", password=PASSWORD, rules=RULES)


@pytest.mark.postgresql
def test_parallel_guesses_at_an_unknown_address_lock_it_the_same_way(
    store: Store,
) -> None:
    outcomes = _storm(store, "nobody@staff.test")
    assert outcomes.count("checked") == RULES.max_failures, outcomes
    assert outcomes.count("locked") == PARALLEL - RULES.max_failures
