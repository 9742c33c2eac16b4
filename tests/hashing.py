"""Cheap argon2 parameters for the test run (never for production).

Production hashes with argon2-cffi's defaults (64 MiB, three passes: about
a second per hash or verification on a shared machine); the suite signs in
a few hundred times. `use_cheap_hashing` swaps in argon2id at its minimum
cost through `tutela.auth.passwords.use_hasher_for_tests`: tests/conftest.py
calls it when the run starts, and the crash tests' forked `tutela` children
call it too (tests/faults/crash.py). A subprocess started any other way
hashes at production cost; tests/auth/test_password_cost.py checks that.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type

from tutela.auth.passwords import use_hasher_for_tests

TEST_HASHER = PasswordHasher(
    time_cost=1, memory_cost=8, parallelism=1, hash_len=16, type=Type.ID
)


def use_cheap_hashing() -> None:
    """Hash and verify passwords with `TEST_HASHER` in this process."""
    use_hasher_for_tests(TEST_HASHER)
