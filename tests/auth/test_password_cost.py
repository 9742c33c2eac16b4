"""Production hashes at full cost; the suite's cheap hasher reaches no one else.

Clause: secure.measures (passwords are kept only as argon2id hashes of
production strength, and a sign-in for an unknown address still runs one
argon2 verification). The test run hashes with cheap parameters
(tests/hashing.py); these tests check what the product does without them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from typing import Literal

import pytest
from argon2 import PasswordHasher, Type, extract_parameters, profiles

from tests.hashing import TEST_HASHER, use_cheap_hashing
from tests.samples import REPO
from tutela.auth import passwords
from tutela.auth.signin import AuthenticationFailed, add_user, sign_in
from tutela.auth.user_admin import disable_user
from tutela.store.db import Store

pytestmark = pytest.mark.clause("secure.measures")

PASSWORD = "correct horse battery staple"


def test_production_hashes_with_argon2id_at_64_mib_and_three_passes() -> None:
    expected = profiles.RFC_9106_LOW_MEMORY
    production = passwords.PRODUCTION
    assert (production.time_cost, production.memory_cost, production.parallelism) == (
        3,
        65536,
        4,
    )
    assert production.type is Type.ID
    assert extract_parameters(production.hash(PASSWORD)) == expected
    # The suite's hasher is far weaker, so production must not be using it.
    assert extract_parameters(TEST_HASHER.hash(PASSWORD)).memory_cost < 65536


def test_a_fresh_process_hashes_at_production_cost() -> None:
    # Nothing but the test suite sets the cheap hasher: a process that did not
    # import the tests hashes at full cost.
    program = (
        "from tutela.auth.passwords import hash_password, needs_rehash\n"
        "h = hash_password('correct horse battery staple')\n"
        "print(h.split('$')[3])\n"
        "from tests.hashing import TEST_HASHER\n"
        "print(needs_rehash(TEST_HASHER.hash('correct horse battery staple')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    parameters, weak_needs_rehash = done.stdout.split()
    assert parameters == "m=65536,t=3,p=4"
    assert weak_needs_rehash == "True"  # a cheap hash is upgraded at sign-in


def test_nothing_in_tutela_swaps_the_hasher() -> None:
    callers = []
    for path in sorted((REPO / "tutela").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = node.id if isinstance(node, ast.Name) else None
            name = node.attr if isinstance(node, ast.Attribute) else name
            if name == "use_hasher_for_tests":
                callers.append(str(path.relative_to(REPO)))
    assert callers == []  # defined in tutela/auth/passwords.py, called by tests only


class CountingHasher(PasswordHasher):
    """The suite's cheap parameters, counting every verification."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, hash_len=16)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def counting() -> Iterator[CountingHasher]:
    hasher = CountingHasher()
    passwords.use_hasher_for_tests(hasher)
    try:
        yield hasher
    finally:
        use_cheap_hashing()


def test_a_sign_in_for_an_unknown_address_still_runs_one_hash(
    store: Store, counting: CountingHasher
) -> None:
    add_user(store, email="gone@staff.test", role="billing", password=PASSWORD)
    disable_user(store, email="gone@staff.test")
    for email in ("nobody@staff.test", "gone@staff.test", "not an address"):
        before = counting.verified
        with pytest.raises(AuthenticationFailed):
            sign_in(store, email=email, password=PASSWORD)
        assert counting.verified == before + 1, email
    # A known, active user costs the same one verification.
    add_user(store, email="bo@staff.test", role="billing", password=PASSWORD)
    before = counting.verified
    with pytest.raises(AuthenticationFailed):
        sign_in(store, email="bo@staff.test", password="wrong password 1")
    assert counting.verified == before + 1
