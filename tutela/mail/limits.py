"""Per-address limits on mail that somebody else's typing can cause.

Clauses: changes.subscribe (anyone may ask for notice of policy updates:
the form, the API and a mail send a confirmation link to the address
given), rights.access.request and rights.access.verification (anyone may
ask for a copy, an erasure or a correction: an acknowledgement and a code
go out). Each of these mails an address that whoever asked typed in, so
without a limit per address one client, or many, could mail-bomb a victim
(a per-client limit, `tutela.web.throttle`, does not stop a botnet, and one
client got ten confirmations an hour to one address through it).

Every request that can mail a typed-in address is counted against that
address: at most `Settings.mail_per_address_per_hour` in each clock hour
and `Settings.mail_per_address_per_day` in each UTC day. On the web the
count is taken before anything is looked up, so a refusal (429 with
Retry-After) is the same whether the address is known, subscribed or
neither; by mail, a request over the limit is stored as always but no
mail goes back.

The counts live in the database (`mail_limits`), so every process and
every server shares them: one `INSERT ... ON CONFLICT DO UPDATE ...
RETURNING` adds one and reads the total atomically (PostgreSQL locks the
row until commit; SQLite holds its write lock), and a request over the
limit takes its count back in the same transaction. Only a keyed digest of
the address is stored (HMAC-SHA256 under the store's key ring), never the
address, and a row is deleted once its window has ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import unicodedata
from dataclasses import dataclass
from typing import Final

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tutela.config import Settings
from tutela.errors import TooManyRequests
from tutela.store import KeyRing, Store, utcnow
from tutela.store.models import MailLimit

log = logging.getLogger(__name__)

HOUR: Final = "hour"
DAY: Final = "day"
_CONTEXT: Final = b"tutela.mail-limit.v1"


class AddressLimited(TooManyRequests):
    """Too many requests to mail one address; the same words for every address."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            "too many requests for mail to this address; try again later",
            retry_after_s=retry_after_s,
        )


@dataclass(frozen=True)
class AddressLimits:
    """How many mail-causing requests one address may get per hour and per day."""

    per_hour: int = 3
    per_day: int = 10

    @classmethod
    def of(cls, settings: Settings) -> AddressLimits:
        return cls(
            settings.mail_per_address_per_hour, settings.mail_per_address_per_day
        )


def address_digest(keys: KeyRing, address: str) -> str:
    """Keyed digest of an address (NFC, trimmed, lower case): what is stored."""
    key = hmac.new(keys.keys[keys.primary], _CONTEXT, hashlib.sha256).digest()
    normal = unicodedata.normalize("NFC", address).strip().lower()
    return hmac.new(
        key, normal.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()


def _windows(moment: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime]]:
    hour = moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    day = hour.replace(hour=0)
    return [
        (HOUR, hour, hour + dt.timedelta(hours=1)),
        (DAY, day, day + dt.timedelta(days=1)),
    ]


def _add(
    session: Session, digest: str, span: str, start: dt.datetime, end: dt.datetime
) -> int:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(MailLimit)
        .values(digest=digest, span=span, window_start=start, window_end=end, count=1)
        .on_conflict_do_update(
            index_elements=[MailLimit.digest, MailLimit.span, MailLimit.window_start],
            set_={"count": MailLimit.count + 1},
        )
        .returning(MailLimit.count)
    )
    return int(session.execute(statement).scalar_one())


def count_request(
    session: Session,
    address: str,
    *,
    limits: AddressLimits,
    now: dt.datetime | None = None,
) -> int | None:
    """Count one request to mail `address`; None if allowed, else seconds to wait.

    Runs in the caller's transaction, so the count commits (or rolls back)
    with the mail it allows. A refused request leaves the counts as they were.
    """
    moment = now or utcnow()
    digest = address_digest(Store.of(session).keys, address)
    session.execute(delete(MailLimit).where(MailLimit.window_end <= moment))
    counted: list[tuple[str, dt.datetime]] = []
    wait: float | None = None
    for span, start, end in _windows(moment):
        total = _add(session, digest, span, start, end)
        counted.append((span, start))
        allowed = limits.per_hour if span == HOUR else limits.per_day
        if total > allowed:
            wait = (end - moment).total_seconds()
            break
    if wait is None:
        return None
    for span, start in counted:  # over the limit: this request is not counted
        session.execute(
            update(MailLimit)
            .where(
                MailLimit.digest == digest,
                MailLimit.span == span,
                MailLimit.window_start == start,
            )
            .values(count=MailLimit.count - 1)
        )
    log.info("mail.address_limited")
    return max(1, math.ceil(wait))


def check_request(
    session: Session,
    address: str,
    *,
    limits: AddressLimits,
    now: dt.datetime | None = None,
) -> None:
    """`count_request`, raising `AddressLimited` (429, Retry-After) when over."""
    wait = count_request(session, address, limits=limits, now=now)
    if wait is not None:
        raise AddressLimited(wait)


def limit_request(
    store: Store,
    address: str,
    *,
    limits: AddressLimits,
    now: dt.datetime | None = None,
) -> None:
    """`check_request` in a transaction of its own (committed before the work)."""
    with store.writing() as session:
        check_request(session, address, limits=limits, now=now)
