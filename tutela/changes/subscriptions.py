"""Requests for e-mail notice of policy updates, stored as subscriptions.

Clause: changes.subscribe ("A person may request email notification of
privacy policy updates by sending an email to legal@jive.com under the
heading 'Request for Privacy Policy Updates'"). One row per address
(case-insensitive); a repeat request changes nothing but may mark the
address verified. `subscribe` is for a request by mail whose sender is
authenticated (a trusted DMARC pass for the From domain,
`tutela.mail.authentication`): it is `verified` and in force at once
(`confirmed_at`). Any other request (the web, the API, unauthenticated
mail) waits for its confirmation link (`tutela.changes.optin`): a From
address is only a claim until then.

`unsubscribe` ends a subscription: the row is deleted (nothing about the
address is kept once it no longer wants mail). Mail intake and staff
(`tutela inbox route ID --to unsubscribe`) call it for an "Unsubscribe"
message whose DMARC passed; for any other, the owner gets the link.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tutela.mail import unsubscribe_token
from tutela.store import utcnow
from tutela.store.models import PolicySubscription

log = logging.getLogger(__name__)


def subscribe(
    session: Session,
    *,
    address: str,
    verified: bool,
    message_row_id: int | None = None,
) -> PolicySubscription:
    """Add (or find) the subscription for `address`."""
    normal = address.strip().lower()
    found = session.scalars(
        select(PolicySubscription).where(
            func.lower(PolicySubscription.address) == normal
        )
    ).one_or_none()
    if found is not None:
        if verified and not found.verified:
            found.verified = True
        if found.confirmed_at is None:
            # Asked by mail, the policy's own way: a pending web request stands.
            found.confirmed_at, found.confirm_digest = utcnow(), None
            found.confirm_expires_at = None
            unsubscribe_token(found)
        return found
    row = PolicySubscription(
        address=normal,
        verified=verified,
        message_id=message_row_id,
        channel="email",
        confirmed_at=utcnow(),
    )
    unsubscribe_token(row)
    session.add(row)
    session.flush()
    log.info("subscription.added subscription_id=%d verified=%s", row.id, verified)
    return row


def unsubscribe(session: Session, *, address: str) -> int:
    """End the subscription of `address` (case-insensitive); rows deleted (0 or 1)."""
    normal = address.strip().lower()
    outcome = session.execute(
        delete(PolicySubscription).where(
            func.lower(PolicySubscription.address) == normal
        )
    )
    ended = int(getattr(outcome, "rowcount", 0) or 0)
    log.info("subscription.ended count=%d", ended)
    return ended


def subscriptions(session: Session) -> list[PolicySubscription]:
    """Every confirmed subscription, oldest first (pending ones get no notice)."""
    return list(
        session.scalars(
            select(PolicySubscription)
            .where(PolicySubscription.confirmed_at.is_not(None))
            .order_by(PolicySubscription.id)
        )
    )
