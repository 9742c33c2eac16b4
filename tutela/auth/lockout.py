"""Sign-in lockout: every attempt is counted BEFORE its password is checked, atomically.

Clause: secure.measures ("a range of measures": repeated failed sign-ins lock
an address, known or not, for a while).

A guess is first claimed: in one transaction that no other attempt for the
same address can interleave with (a PostgreSQL advisory lock on the address
digest; SQLite's write lock, `Store.writing`), the recent failures are
counted and, unless the address is locked, this attempt is stored as a
failure. Only then is the (slow) password check run, and a right password
turns the stored attempt into a success. So forty guesses fired at once get
exactly `max_failures` password checks between them; the rest are locked out
without one. Addresses are kept only as a keyed digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tutela.auth.principal import AuthSettings
from tutela.store import Store, utc_aware
from tutela.store.models import LoginAttempt

# Attempts older than this (or the lockout window, if longer) are pruned.
KEEP_ATTEMPTS = dt.timedelta(days=1)


def email_digest(store: Store, address: str) -> str:
    """Keyed digest of an address, so attempts are counted without storing it."""
    ring = store.keys
    key = hmac.new(ring.keys[ring.primary], b"tutela.login.v1", hashlib.sha256)
    return hmac.new(key.digest(), address.encode(), hashlib.sha256).hexdigest()


def _serialize(session: Session, digest: str) -> None:
    """Make concurrent attempts for one address take turns (PostgreSQL).

    On SQLite the caller's `Store.writing()` transaction already holds the
    database's write lock. On PostgreSQL, READ COMMITTED would let two
    attempts count the failures at the same time, so take a transaction-
    scoped advisory lock keyed by the digest (60 bits fit a bigint).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(int(digest[:15], 16))))


def _failures(
    session: Session, digest: str, moment: dt.datetime, rules: AuthSettings
) -> int:
    """Failures within the lockout window since the last success."""
    start = moment - rules.lockout
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email_digest == digest, LoginAttempt.succeeded.is_(True)
        )
    )
    since = max(start, utc_aware(last_ok)) if last_ok is not None else start
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.email_digest == digest,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
    )
    return int(failures or 0)


def claim_attempt(
    store: Store, digest: str, *, rules: AuthSettings, moment: dt.datetime
) -> int | None:
    """Store this attempt as a failure, unless the address is locked (None).

    Returns the attempt's id, for `mark_succeeded` once the password proved
    right. The count and the insert are one serialised step.
    """
    with store.writing() as session:
        _serialize(session, digest)
        if _failures(session, digest, moment, rules) >= rules.max_failures:
            return None
        attempt = LoginAttempt(email_digest=digest, at=moment, succeeded=False)
        session.add(attempt)
        session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.email_digest == digest,
                LoginAttempt.at < moment - max(rules.lockout, KEEP_ATTEMPTS),
            )
        )
        session.flush()
        return attempt.id


def mark_succeeded(session: Session, attempt_id: int) -> None:
    """The claimed attempt had the right password: it resets the count."""
    session.execute(
        update(LoginAttempt)
        .where(LoginAttempt.id == attempt_id)
        .values(succeeded=True)
        .execution_options(synchronize_session=False)
    )
