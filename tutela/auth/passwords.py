"""Password hashing with argon2id (argon2-cffi defaults) and a constant-work miss.

Clause: secure.measures. A password is never stored, logged or echoed; only
its argon2id hash is kept. A sign-in for an address that has no user still
runs one argon2 verification (against a dummy hash), so the answer takes
about as long whether or not the address is known.

The parameters are argon2-cffi's defaults (RFC 9106's low-memory profile:
argon2id, 64 MiB, three passes, four lanes), `PRODUCTION`. No setting or
environment variable changes them; only the test suite swaps in a cheap
hasher, through `use_hasher_for_tests`, which nothing in `tutela` calls.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tutela.errors import InvalidInput

MIN_LENGTH: Final = 12
MAX_LENGTH: Final = 256  # bounds the work an attacker can ask argon2 to do

PRODUCTION: Final = PasswordHasher()


@dataclass
class _InUse:
    hasher: PasswordHasher


_in_use = _InUse(PRODUCTION)


def use_hasher_for_tests(hasher: PasswordHasher | None) -> None:
    """Tests only: hash and verify with `hasher`; `None` puts `PRODUCTION` back.

    The test suite's conftest sets cheap parameters here, so its hundreds of
    sign-ins do not each spend 64 MiB and a second. A hash records its own
    parameters, so either hasher verifies the other's hashes.
    """
    _in_use.hasher = hasher if hasher is not None else PRODUCTION
    _dummy_hash.cache_clear()


def check_password_rules(password: str, *, email: str | None = None) -> None:
    """Refuse passwords too short, too long, or equal to the e-mail address."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"a password needs at least {MIN_LENGTH} characters", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            f"a password has at most {MAX_LENGTH} characters", field="password"
        )
    if email is not None and password.strip().lower() == email.strip().lower():
        raise InvalidInput("a password may not be the e-mail address", field="password")


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string) of `password`."""
    return _in_use.hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _in_use.hasher.hash(secrets.token_urlsafe(24))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash costs one verification too."""
    # An over-long guess is cut, still hashed (same cost), and always refused.
    too_long = len(password) > MAX_LENGTH
    target = stored_hash if stored_hash is not None else _dummy_hash()
    try:
        ok: bool = _in_use.hasher.verify(target, password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and stored_hash is not None and not too_long


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's defaults."""
    return _in_use.hasher.check_needs_rehash(stored_hash)


def generate_password() -> str:
    """A random password (about 120 bits) for `tutela users add` and the demo."""
    return secrets.token_urlsafe(15)
