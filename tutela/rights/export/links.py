"""Download links for exports: random, stored hashed, single use, expiring.

Clauses: rights.access (the subject gets their data), rights.access.verification
(only the verified channel receives the link; a link can also ask for the
verified e-mail address again as a second factor).

A token is 32 random bytes (URL-safe base64). Only its SHA-256 is stored, so
a copy of the database opens nothing. Redeeming locks the link's
row (FOR UPDATE on PostgreSQL, the write lock on SQLite) and then spends it
with a conditional UPDATE (`used_at IS NULL AND expires_at > now`), so of two
concurrent downloads exactly one wins and the other is told the link was
used, on either database. Looking at a link (`needs_factor`) spends nothing. With a second factor, the digest of the
address is keyed by the token itself; five wrong addresses burn the link.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tutela.errors import Forbidden, InvalidInput, NotFound
from tutela.store import Store, token_digest, utc_aware, utcnow
from tutela.store.models import DownloadToken

DEFAULT_TTL = dt.timedelta(days=7)
MAX_FACTOR_FAILURES = 5
_TOKEN_BYTES = 32


class LinkUnusable(Forbidden):
    """The link was already used, has expired, or was burned by wrong answers."""

    status = 410


@dataclass(frozen=True)
class Redeemed:
    """A link that was just spent: which export and case it opens."""

    token_id: int
    case_id: int
    export_id: int


def factor_digest(token: str, address: str) -> str:
    key = token.encode("ascii", "replace")
    return hmac.new(key, address.strip().lower().encode(), "sha256").hexdigest()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or utcnow()


def issue(
    session: Session,
    *,
    case_id: int,
    export_id: int,
    ttl: dt.timedelta = DEFAULT_TTL,
    second_factor: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """A new token for one export (committed with the caller); returns the token."""
    if ttl <= dt.timedelta(0) or ttl > dt.timedelta(days=30):
        raise InvalidInput("a link must live between a minute and 30 days", field="ttl")
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    session.add(
        DownloadToken(
            case_id=case_id,
            export_id=export_id,
            token_hash=token_digest(token),
            factor_hash=None
            if second_factor is None
            else factor_digest(token, second_factor),
            failed_attempts=0,
            expires_at=_now(now) + ttl,
        )
    )
    session.flush()
    return token


def needs_factor(store: Store, token: str, *, now: dt.datetime | None = None) -> bool:
    """Whether a usable link asks for the verified address. Spends nothing.

    `NotFound` for an unknown link, `LinkUnusable` (410) for one that was
    used, burned or has expired: the page a GET shows says so at once.
    """
    with store.session() as session:
        row = _find(session, token)
        _check_usable(row, _now(now))
        return row.factor_hash is not None


def _find(session: Session, token: str, *, lock: bool = False) -> DownloadToken:
    if not 20 <= len(token) <= 100:
        raise NotFound("no such download link")
    query = select(DownloadToken).where(DownloadToken.token_hash == token_digest(token))
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound("no such download link")
    return row


def _check_usable(row: DownloadToken, moment: dt.datetime) -> None:
    if row.used_at is not None:
        raise LinkUnusable("this download link has already been used")
    if utc_aware(row.expires_at) <= moment:
        raise LinkUnusable("this download link has expired; ask us for a new one")


def redeem(
    store: Store,
    token: str,
    *,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> Redeemed:
    """Spend the link once; `LinkUnusable` if used, expired or burned.

    The link's row is locked first (FOR UPDATE on PostgreSQL, the write lock
    on SQLite), so concurrent redemptions queue: exactly one spends it, the
    others find it used. A wrong address is counted in the same locked step.
    """
    moment = _now(now)
    wrong_factor = False
    with store.writing() as session:
        row = _find(session, token, lock=True)
        _check_usable(row, moment)
        if row.factor_hash is not None and not hmac.compare_digest(
            row.factor_hash, factor_digest(token, address or "")
        ):
            # Counted in this (committed) transaction, refused after it.
            row.failed_attempts += 1
            if row.failed_attempts >= MAX_FACTOR_FAILURES:
                row.used_at = moment
            wrong_factor = True
        else:
            spent = session.execute(
                update(DownloadToken)
                .where(
                    DownloadToken.id == row.id,
                    DownloadToken.used_at.is_(None),
                    DownloadToken.expires_at > moment,
                )
                .values(used_at=moment)
                .execution_options(synchronize_session=False)
            )
            if getattr(spent, "rowcount", 0) != 1:
                raise LinkUnusable("this download link has already been used")
            redeemed = Redeemed(
                token_id=row.id, case_id=row.case_id, export_id=row.export_id
            )
    if wrong_factor:
        raise Forbidden("the e-mail address does not match this link")
    return redeemed
