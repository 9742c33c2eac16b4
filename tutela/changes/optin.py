"""Subscriptions people control: double opt-in, and unsubscribing without a login.

Clauses: changes.subscribe ("A person may request email notification of
privacy policy updates") and changes.notice (notices go to those who asked,
and only to them).

- A request from the web form or the API (`request_subscription`) stores a
  *pending* subscription and mails a confirmation link to the address; only
  the token's SHA-256 digest and its expiry (48 hours) are kept. Nobody gets
  a notice until the link is used (`confirm_subscription`), so a stranger
  cannot sign someone else up. The answer is the same whether the address
  was unknown, pending or subscribed already. A request by mail whose
  sender is not authenticated (no trusted DMARC pass,
  `tutela.mail.authentication`) is answered the same way: the From address
  is only a claim, so its owner confirms.
- Every request counts against the address it names
  (`tutela.mail.limits`: by default 3 an hour, 10 a day, in the database
  so every process shares the count), before anything is looked up: over
  the limit, `AddressLimited` (429) and no mail, whatever the address.
- Every subscription has a random unsubscribe token, sealed in the row and
  found by its digest; every notice carries it as a one-click link
  (RFC 8058, `tutela.mail.unsubscribe`). `unsubscribe_by_token` ends the
  subscription: the row and its unsent notices are deleted.
- A mail asking to unsubscribe whose sender is not authenticated (DMARC did
  not pass) ends nothing: `mail_unsubscribe_link` mails the one-click link to
  the subscribed address instead, so a forged sender cannot unsubscribe
  somebody else (at most once a day, and within the address's limit).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tutela.errors import Forbidden, NotFound
from tutela.mail import (
    AddressLimits,
    check_request,
    count_request,
    enqueue,
    unsubscribe_token,
)
from tutela.store import new_token, normalize_email, token_digest, utc_aware, utcnow
from tutela.store.models import OutboxMessage, PolicySubscription

log = logging.getLogger(__name__)


class LinkExpired(Forbidden):
    """A confirmation link past its expiry: ask again."""

    status = 410


CONFIRM_KIND = "sub_confirm"
UNSUBSCRIBE_LINK_KIND = "unsub_link"
CONFIRM_FOR = dt.timedelta(hours=48)
LINK_MAIL_INTERVAL = dt.timedelta(days=1)
CONFIRM_PATH = "/subscribe/confirm/"
DEFAULT_LIMITS = AddressLimits()


def find_subscription(session: Session, address: str) -> PolicySubscription | None:
    normal = address.strip().lower()
    return session.scalars(
        select(PolicySubscription).where(
            func.lower(PolicySubscription.address) == normal
        )
    ).one_or_none()


def request_subscription(
    session: Session,
    *,
    address: str,
    channel: str,
    link: str,
    sender: str,
    org: str,
    now: dt.datetime | None = None,
    limits: AddressLimits = DEFAULT_LIMITS,
) -> None:
    """Store a pending subscription for `address` and mail its confirmation link.

    `link` is the absolute address of `CONFIRM_PATH` (without the token). An
    address already subscribed gets no mail: the subscription stands. The
    request counts against the address first (`AddressLimited` when over
    `limits`, for a known address as for any other).
    """
    normal = normalize_email(address)
    moment = now or utcnow()
    check_request(session, normal, limits=limits, now=moment)
    row = find_subscription(session, normal)
    if row is not None and row.confirmed_at is not None:
        log.info("subscription.request_for_confirmed subscription_id=%d", row.id)
        return
    if row is None:
        row = PolicySubscription(address=normal, verified=False, channel=channel)
        session.add(row)
    token = new_token()
    row.confirm_digest, row.confirm_expires_at = (
        token_digest(token),
        moment + CONFIRM_FOR,
    )
    session.flush()
    enqueue(
        session,
        kind=CONFIRM_KIND,
        to=normal,
        subject=f"Confirm: e-mail notice of {org} privacy policy updates",
        body=(
            f"Someone, probably you, asked to receive e-mail notice when {org} "
            "updates its privacy policy.\n\n"
            f"To confirm, open this link within 48 hours:\n{link}{token}\n\n"
            "If you did not ask, ignore this message: you will get no notices.\n"
        ),
        sender=sender,
    )
    log.info("subscription.pending subscription_id=%d", row.id)


def confirm_subscription(
    session: Session, token: str, *, now: dt.datetime | None = None
) -> PolicySubscription:
    """Confirm the subscription whose link carries `token` (used once)."""
    moment = now or utcnow()
    row = session.scalars(
        select(PolicySubscription).where(
            PolicySubscription.confirm_digest == token_digest(token)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("this confirmation link is unknown or was already used")
    expires = row.confirm_expires_at
    if expires is None or utc_aware(expires) <= moment:
        raise LinkExpired(
            "this confirmation link has expired; ask for policy updates again"
        )
    row.confirmed_at, row.confirm_digest, row.confirm_expires_at = moment, None, None
    unsubscribe_token(row)
    log.info("subscription.confirmed subscription_id=%d", row.id)
    return row


def subscription_for_token(session: Session, token: str) -> PolicySubscription:
    """The subscription an unsubscribe link names (NotFound if none)."""
    row = session.scalars(
        select(PolicySubscription).where(
            PolicySubscription.unsubscribe_digest == token_digest(token)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("this unsubscribe link is unknown; the subscription has ended")
    return row


def unsubscribe_by_token(session: Session, token: str) -> int:
    """End the subscription the link names; its unsent notices go with it."""
    row = subscription_for_token(session, token)
    row_id = row.id
    session.execute(delete(PolicySubscription).where(PolicySubscription.id == row_id))
    log.info("subscription.ended_by_link subscription_id=%d", row_id)
    return row_id


def mail_unsubscribe_link(
    session: Session,
    *,
    address: str,
    link: str,
    sender: str,
    org: str,
    now: dt.datetime | None = None,
    limits: AddressLimits = DEFAULT_LIMITS,
) -> bool:
    """Mail the one-click unsubscribe link to `address`, if it is subscribed.

    For an unsubscribe request whose sender is not authenticated: only the
    real owner of the address, who receives this mail, can use the link. At
    most one such mail a day per address, however many requests come, and
    none once the address is over `limits`.
    """
    row = find_subscription(session, address)
    if row is None:
        return False
    moment = now or utcnow()
    already = session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.kind == UNSUBSCRIBE_LINK_KIND,
            OutboxMessage.to_address == row.address,
            OutboxMessage.created_at >= moment - LINK_MAIL_INTERVAL,
        )
        .limit(1)
    )
    if already is not None:  # forged requests cannot flood the owner
        return True
    if count_request(session, row.address, limits=limits, now=moment) is not None:
        return True
    token = unsubscribe_token(row)
    session.flush()
    enqueue(
        session,
        kind=UNSUBSCRIBE_LINK_KIND,
        to=row.address,
        subject=f"Stop {org} privacy policy update notices?",
        body=(
            f"We received a request to stop e-mail notice of {org} privacy policy "
            "updates for this address.\n\n"
            f"To stop them, open this link and confirm:\n{link}{token}\n\n"
            "If you did not ask, ignore this message: nothing changes.\n"
        ),
        sender=sender,
    )
    return True
